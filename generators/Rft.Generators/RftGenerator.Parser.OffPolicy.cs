using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Rft.Generators.Diagnostics;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal sealed partial class Parser
    {
        /// <summary>
        /// [Replay], [ReMix], [Raft], [OnlineDpo] and [OfflineRollouts], with a diagnostic for every combination that
        /// cannot work. RAFT replaces the policy loss and online DPO needs the frozen reference, so the loss spec comes
        /// back adjusted.
        /// </summary>
        private (OffPolicySpec OffPolicy, LossSpec Loss) ParseOffPolicy(LossSpec loss, TrainingSpec training)
        {
            var declared = new Dictionary<string, AttributeData>();
            foreach (var attribute in _pipeline.GetAttributes())
            {
                if (RftAttributeName(attribute) is { } name && !declared.ContainsKey(name)) declared[name] = attribute;
            }

            if (!new[] { "Replay", "ReMix", "Raft", "OnlineDpo", "OfflineRollouts" }.Any(declared.ContainsKey)) return (OffPolicySpec.None, loss);

            var advantage = loss.Advantage;
            int rows = advantage.PromptsPerStep * advantage.GroupSize;
            AttributeData? Declared(string name) => declared.TryGetValue(name, out var attribute) ? attribute : null;
            void Incompatible(AttributeData at, string first, string second, string why) =>
                Report(DiagnosticDescriptors.IncompatibleOffPolicy, AttributeLocation(at), first, second, why);

            ReplaySpec? replay = null;
            if (Declared("Replay") is { } replayAttribute)
            {
                replay = ReadReplay(replayAttribute);
                if (advantage.Kind == AdvantageEstimatorKind.Gae) Report(DiagnosticDescriptors.ReplayWithValueHead, AttributeLocation(replayAttribute), "Gae");
                if (replay.Capacity < rows && rows > 0)
                    Report(DiagnosticDescriptors.ReplayCapacityTooSmall, NamedArgumentLocation(replayAttribute, "Capacity"), replay.Capacity, rows, advantage.PromptsPerStep, advantage.GroupSize);
                if (Declared("DynamicSampling") is not null)
                    Incompatible(replayAttribute, "Replay", "DynamicSampling", "a step of dynamic sampling keeps a varying number of groups, which the replay mix does not support yet; drop one of them");
                if (loss.PolicyLoss.Kind == PolicyLossKind.Topr && replay.Correction == "TruncatedWeights")
                {
                    Report(DiagnosticDescriptors.IncompatibleOffPolicy, NamedArgumentLocation(replayAttribute, "Correction"), "Replay(Correction = TruncatedWeights)", "Topr",
                        "TOPR already truncates its importance ratio against the behaviour policy; keep Correction = ImportanceCorrection.BehaviourRatio");
                }
            }

            ReMixSpec? remix = null;
            if (Declared("ReMix") is { } remixAttribute)
            {
                remix = ReadReMix(remixAttribute);
                if (replay is null) Report(DiagnosticDescriptors.ReMixWithoutReplay, AttributeLocation(remixAttribute), _pipeline.Name);
                if (loss.KlPenalty is null)
                    Report(DiagnosticDescriptors.ReMixWithoutKlTarget, AttributeLocation(remixAttribute), _pipeline.Name, "declares no [KlPenalty]");
                else if (loss.KlPenalty.InReward)
                    Report(DiagnosticDescriptors.ReMixWithoutKlTarget, AttributeLocation(remixAttribute), _pipeline.Name, "puts its KL penalty in the reward (Placement = KlPlacement.InReward)");
                if (remix.ReincarnationStep > training.Steps)
                    Report(DiagnosticDescriptors.ReincarnationNeverReached, NamedArgumentLocation(remixAttribute, "ReincarnationStep"), remix.ReincarnationStep, training.Steps);
            }

            RaftSpec? raft = null;
            if (Declared("Raft") is { } raftAttribute)
            {
                raft = ReadRaft(raftAttribute, advantage.GroupSize);
                CheckRaftComposition(raftAttribute, loss, declared);
                if (replay is not null)
                    Incompatible(raftAttribute, "Raft", "Replay", "RAFT fine-tunes on each step's best completions and has no importance ratio to correct replayed ones with");
                loss = loss with { PolicyLoss = new PolicyLossSpec(PolicyLossKind.Raft, IsDeclared: true, ClipLow: 0, ClipHigh: 0, ClipRatioC: 3.0, Threshold: 0) };
            }

            OnlineDpoSpec? dpo = null;
            if (Declared("OnlineDpo") is { } dpoAttribute)
            {
                dpo = ReadOnlineDpo(dpoAttribute);
                if (raft is not null)
                    Incompatible(dpoAttribute, "OnlineDpo", "Raft", "each replaces the policy-gradient objective with its own; keep one");
                if (replay is not null)
                    Incompatible(dpoAttribute, "OnlineDpo", "Replay", "the pairs are built from each step's own groups; replayed rows form none");
                if (loss.SftTerm is { IsChord: true })
                    Incompatible(dpoAttribute, "OnlineDpo", "SftTerm(Schedule = SftSchedule.Chord)", "CHORD and online DPO would both weight the policy-gradient term; use another SFT schedule or drop one");
                loss = loss with { ReferenceForPreferences = true };
            }

            OfflineRolloutsSpec? offline = null;
            if (Declared("OfflineRollouts") is { } offlineAttribute)
            {
                string path = offlineAttribute.ConstructorArguments.Length == 1 && offlineAttribute.ConstructorArguments[0].Value is string value ? value : string.Empty;
                if (path.Trim().Length == 0) Report(DiagnosticDescriptors.OfflineRolloutsPathEmpty, ConstructorArgumentLocation(offlineAttribute, 0));
                offline = new OfflineRolloutsSpec(path, !TryGetNamed(offlineAttribute, "Repeat", out bool repeat) || repeat);
                const string Why = "an offline step reads logged completions, not records drawn from the sources";
                foreach (var other in new[] { "DynamicSampling", "Curriculum", "PassRateFilter", "SftTerm" })
                {
                    if (Declared(other) is not null) Incompatible(offlineAttribute, "OfflineRollouts", other, Why + ", so " + OfflineConflict(other));
                }

                if (replay is not null)
                    Incompatible(offlineAttribute, "OfflineRollouts", "Replay", "every logged row is already replayed as it is read; train on the file directly");
            }

            return (new OffPolicySpec(replay, remix, raft, dpo, offline), loss);
        }

        private static string OfflineConflict(string other) => other switch
        {
            "DynamicSampling" => "there is no sampling to repeat",
            "SftTerm" => "there are no records whose demonstrations the SFT term would read",
            _ => "there is nothing to choose records for",
        };

        /// <summary>RAFT has no advantages or ratio: a declared policy loss, a value head or a term reading them cannot work.</summary>
        private void CheckRaftComposition(AttributeData raftAttribute, LossSpec loss, Dictionary<string, AttributeData> declared)
        {
            foreach (var name in new[] { "ClippedSurrogate", "Gspo", "Topr" })
            {
                if (declared.ContainsKey(name)) Report(DiagnosticDescriptors.RaftWithAdvantageTerm, AttributeLocation(raftAttribute), "[" + name + "]");
            }

            if (loss.Advantage.Kind == AdvantageEstimatorKind.Gae)
                Report(DiagnosticDescriptors.RaftWithAdvantageTerm, AttributeLocation(raftAttribute), "[Gae] (its value head is trained on GAE returns)");
            if (loss.KlPenalty is { InReward: true })
                Report(DiagnosticDescriptors.RaftWithAdvantageTerm, AttributeLocation(raftAttribute), "[KlPenalty(Placement = KlPlacement.InReward)] (it lowers the rewards before the advantage)");
            foreach (var term in loss.Terms)
            {
                var reads = term.Reads & (StepQuantity.Advantages | StepQuantity.OldLogProbs);
                if (reads != StepQuantity.None)
                    Report(DiagnosticDescriptors.RaftWithAdvantageTerm, AttributeLocation(raftAttribute), "[LossTerm] '" + term.Method + "' (it reads StepView." + (reads == StepQuantity.OldLogProbs ? "OldLogProbs" : "Advantages") + ")");
            }
        }

        private ReplaySpec ReadReplay(AttributeData attribute)
        {
            const string Name = "Replay";
            return new ReplaySpec(
                Capacity: ReadInt(attribute, Name, "Capacity", 1024),
                MaxStaleness: ReadInt(attribute, Name, "MaxStaleness", 4),
                OnPolicyShare: ReadDouble(attribute, Name, "OnPolicyShare", 0.5),
                Correction: TryGetNamed(attribute, "Correction", out int correction) ? EnumMemberName("Rft.ImportanceCorrection", correction) : "BehaviourRatio",
                TruncationCap: ReadDouble(attribute, Name, "TruncationCap", 2.0),
                SignalOnly: !TryGetNamed(attribute, "SignalOnly", out bool signalOnly) || signalOnly);
        }

        private ReMixSpec ReadReMix(AttributeData attribute)
        {
            const string Name = "ReMix";
            return new ReMixSpec(
                UpdateToData: ReadInt(attribute, Name, "UpdateToData", 2),
                KlConvexWeight: ReadDouble(attribute, Name, "KlConvexWeight", 0.5),
                ReincarnationStep: ReadInt(attribute, Name, "ReincarnationStep", 0));
        }

        private RaftSpec ReadRaft(AttributeData attribute, int groupSize)
        {
            int topK = ReadInt(attribute, "Raft", "TopK", 1);
            if (topK > groupSize && groupSize >= 1)
                Report(DiagnosticDescriptors.SettingOutOfRange, NamedArgumentLocation(attribute, "TopK"), "TopK", topK, "Raft", "at most GroupSize = " + groupSize + ", the completions of a group");
            double threshold = TryGetNamed(attribute, "Threshold", out double value) ? value : double.NaN;
            if (double.IsInfinity(threshold))
                Report(DiagnosticDescriptors.SettingOutOfRange, NamedArgumentLocation(attribute, "Threshold"), "Threshold", Format(threshold), "Raft", "a finite reward, or NaN for no threshold");
            return new RaftSpec(topK, threshold);
        }

        private OnlineDpoSpec ReadOnlineDpo(AttributeData attribute)
        {
            const string Name = "OnlineDpo";
            return new OnlineDpoSpec(
                Beta: ReadDouble(attribute, Name, "Beta", 0.1),
                Mode: TryGetNamed(attribute, "Mode", out int mode) ? EnumMemberName("Rft.DpoMode", mode) : "Alternate",
                Every: ReadInt(attribute, Name, "Every", 1),
                Weight: ReadDouble(attribute, Name, "Weight", 1.0));
        }
    }
}
