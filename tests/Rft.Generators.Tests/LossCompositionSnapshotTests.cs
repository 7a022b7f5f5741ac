using Rft.Generators.Tests.Infrastructure;
using Snapshooter;
using Snapshooter.Xunit;

namespace Rft.Generators.Tests;

/// <summary>
/// The generated step of composed losses: each pipeline's options and trainer against their snapshots,
/// the project compiled with them, and the quantities each step must (and must not) compute.
/// </summary>
public class LossCompositionSnapshotTests
{
    [Fact]
    public void Grpo_with_a_kl_penalty_in_the_loss_runs_the_reference_and_no_entropy_or_value_head()
    {
        var trainer = Run("GrpoKl", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4, ClipHigh = 0.28)]
            [KlPenalty(0.04, Estimator = KlEstimator.K3)]
            """);

        Assert.Contains("var refLogProbs = _reference!.LogProbs(sequences, _options.Temperature, _options.MicroBatchSize);", trainer);
        Assert.Contains("loss = loss + _options.KlBeta * global::Rft.Algorithms.LossAggregation.Aggregate(klTokens, micro.Mask, aggregation, scale);", trainer);
        Assert.Contains("withEntropy: false", trainer);
        Assert.DoesNotContain("ValueHead", trainer);
    }

    [Fact]
    public void Dr_grpo_without_kl_builds_no_reference_and_aggregates_by_the_constant_norm()
    {
        var trainer = Run("DrGrpo", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4, ScaleByStd = false)]
            [Aggregation(AggregationMode.SeqMeanTokenSumNorm)]
            """);

        Assert.DoesNotContain("_reference", trainer);
        Assert.DoesNotContain("refLogProbs", trainer);
        Assert.DoesNotContain("withEntropy: true", trainer);
        Assert.Contains("Dr.GRPO", trainer);
        Assert.Contains("var scale = counts.Scale(_options.MaxNewTokens);", trainer);
    }

    [Fact]
    public void Ppo_with_gae_and_a_value_head_trains_the_head_from_one_forward()
    {
        var trainer = Run("Ppo", """
            [Gae(GroupSize = 2, PromptsPerStep = 8, Gamma = 1.0, Lambda = 0.95)]
            [ValueHead(Coefficient = 0.5, ClipRange = 0.2)]
            [ClippedSurrogate(ClipLow = 0.2, ClipHigh = 0.28, ClipRatioC = 3.0)]
            """);

        // The old values come from the one pass before the update, so the value clip acts once the head has moved.
        Assert.Single(AllIndexesOf(trainer, "PolicyForward.LogProbsAndValuesWithoutGrad(_policy, _valueHead, sequences"));
        Assert.Single(AllIndexesOf(trainer, "PolicyForward.LogProbsAndValues(_policy, _valueHead, micro.Rows"));
        Assert.Contains("AdvantageEstimators.Gae(tokenRewards, oldValues, mask, _options.Gamma, _options.Lambda)", trainer);
        Assert.Contains("PolicyLossFunctions.ValueLoss(values, micro.OldValues!, micro.Returns!, micro.Mask", trainer);
        Assert.Contains("_valueOptimizer.Step(step);", trainer);
        Assert.DoesNotContain("refLogProbs", trainer);
    }

    [Fact]
    public void Grpo_with_a_chord_sft_term_mixes_the_demonstration_loss_by_mu()
    {
        var (trainer, options) = RunBoth("Chord", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4)]
            [SftTerm(0.5, Schedule = SftSchedule.Chord, EndWeight = 0.05, WarmupSteps = 10, DecaySteps = 90, TokenWeight = true)]
            """, """
                [Demonstration] public static string Answer(DigitTask task) => task.Digit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            """);

        Assert.Contains("SupervisedForward.Loss(_policy, demonstrations.Narrow(first, size), _options.SftTermTokenWeight, tokens)", trainer);
        Assert.Contains("double rlWeight = 1 - mu;", trainer);
        Assert.Contains("SftTermPass(m, miniBatches, mu);", trainer);
        // With an [SftTerm] and no [SftWarmup], the demonstrations are imitated only during RL.
        Assert.Contains("public int SftMaxSteps { get; set; } = 0;", options);
        Assert.DoesNotContain("refLogProbs", trainer);
    }

    [Fact]
    public void User_terms_compute_only_the_step_view_members_they_read()
    {
        var trainer = Run("UserTerm", """
            [Grpo(GroupSize = 4, PromptsPerStep = 4)]
            """, """
                // Keeps the policy near the behaviour policy: the mean squared log-ratio.
                [LossTerm(Weight = 0.1)]
                public static TorchSharp.torch.Tensor Drift(StepView s) => ((s.LogProbs - s.OldLogProbs).square() * s.Mask).sum() / s.Mask.sum();

                // Rewards confident completions: the mean entropy of the completion tokens.
                [LossTerm(Weight = 0.01)]
                public static TorchSharp.torch.Tensor Confidence(StepView view)
                {
                    var entropy = view.Entropy * view.Mask;
                    return entropy.sum() / view.Mask.sum();
                }
            """);

        Assert.Contains("_stepView.LogProbs = logProbs;", trainer);
        Assert.Contains("_stepView.OldLogProbs = oldLogProbs;", trainer);
        Assert.Contains("_stepView.Entropy = entropy!;", trainer);
        Assert.Contains("withEntropy: true", trainer);
        Assert.DoesNotContain("_stepView.RefLogProbs", trainer);
        Assert.DoesNotContain("_stepView.Advantages", trainer);
        Assert.DoesNotContain("refLogProbs", trainer);
    }

    [Fact]
    public void Rloo_with_kl_in_the_reward_and_gspo_lowers_token_rewards_before_the_advantage()
    {
        var trainer = Run("RlooKlInReward", """
            [Rloo(GroupSize = 4, PromptsPerStep = 4)]
            [KlPenalty(0.01, Estimator = KlEstimator.K1, Placement = KlPlacement.InReward)]
            [Gspo]
            """);

        Assert.Contains("TokenRewards.AtLastToken(scores, mask) - _options.KlBeta * rewardKl", trainer);
        Assert.Contains("AdvantageEstimators.Rloo(tokenRewards, mask, _groups)", trainer);
        Assert.Contains("PolicyLossFunctions.Gspo(", trainer);
        Assert.DoesNotContain("loss = loss + _options.KlBeta", trainer);
    }

    [Fact]
    public void Reinforce_plus_plus_with_topr_and_an_escaping_step_view()
    {
        var run = GeneratorRun.Of(Source("Escape", """
            [ReinforcePlusPlus(GroupSize = 2, PromptsPerStep = 4, Gamma = 0.99)]
            [Topr(Threshold = 0)]
            """, """
                [LossTerm] public static TorchSharp.torch.Tensor Everything(StepView s) => Helper(s);

                private static TorchSharp.torch.Tensor Helper(StepView s) => s.Advantages.mean() * 0;
            """));

        Assert.Equal(new[] { "RFT0038" }, run.Diagnostics.Select(d => d.Id));
        run.AssertCompiles();
        var trainer = run.File(".Trainer.g.cs");
        Assert.Contains("AdvantageEstimators.ReinforcePlusPlus(tokenRewards, mask, _options.Gamma)", trainer);
        Assert.Contains("Topr.Loss(", trainer);
        // An escaping view gets every member the pipeline can produce, the reference's included.
        Assert.Contains("_stepView.RefLogProbs = micro.RefLogProbs!;", trainer);
        Assert.Contains("_stepView.Entropy = entropy!;", trainer);
        Assert.DoesNotContain("_stepView.Values", trainer);
    }

    [Theory]
    [InlineData("[Grpo(GroupSize = 4)]\n[KlPenalty(0.01, Placement = KlPlacement.InReward)]\n[EntropyBonus(0.001)]")]
    [InlineData("[Grpo(GroupSize = 4, ScaleByStd = false)]\n[Topr]\n[Aggregation(AggregationMode.SeqMeanTokenSum)]")]
    [InlineData("[Rloo(GroupSize = 4)]\n[ClippedSurrogate(ClipRatioC = 10)]\n[KlPenalty(0.02)]")]
    [InlineData("[ReinforcePlusPlus(GroupSize = 4, GroupBaseline = true)]\n[Gspo]\n[EntropyBonus(0.01)]")]
    [InlineData("[Gae(GroupSize = 2)]\n[ValueHead]\n[Topr]\n[KlPenalty(0.01, Placement = KlPlacement.InReward)]\n[EntropyBonus(0.01)]")]
    [InlineData("[Grpo(GroupSize = 4)]\n[SftTerm(0.2, Schedule = SftSchedule.Linear, EndWeight = 0.0, DecaySteps = 50)]", true)]
    [InlineData("[Gae(GroupSize = 2)]\n[ValueHead]\n[SftTerm(0.2, Schedule = SftSchedule.Cosine, TokenWeight = true)]", true)]
    public void Every_estimator_policy_loss_and_term_combination_compiles(string attributes, bool demonstration = false)
    {
        var run = GeneratorRun.Of(Source("Combination", attributes, demonstration
            ? "    [Demonstration] public static string Answer(DigitTask task) => task.Digit.ToString();\n"
              + "    [LossTerm] public static TorchSharp.torch.Tensor Everything(StepView s) => Helper(s);\n"
              + "    private static TorchSharp.torch.Tensor Helper(StepView s) => s.LogProbs.mean() * 0;"
            : "    [LossTerm(Weight = 0.5)] public static TorchSharp.torch.Tensor Drift(StepView s) => (s.LogProbs - s.OldLogProbs).mean() + s.Advantages.mean() * s.Scores.mean();"));

        Assert.All(run.Diagnostics, d => Assert.Equal("RFT0038", d.Id));
        run.AssertCompiles();
    }

    private static string Run(string name, string attributes, string members = "") => RunBoth(name, attributes, members).Trainer;

    /// <summary>Generates the echo pipeline with these attributes, checks it compiles cleanly and matches its snapshots.</summary>
    internal static (string Trainer, string Options) RunBoth(string name, string attributes, string members = "")
    {
        var run = GeneratorRun.Of(Source(name, attributes, members));

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        Assert.Equal(3, run.Files.Count);
        foreach (var file in run.Files.Where(f => !f.HintName.EndsWith(".Host.g.cs", StringComparison.Ordinal)).OrderBy(f => f.HintName, StringComparer.Ordinal))
            Snapshot.Match(file.Text, SnapshotNameExtension.Create(file.HintName));
        return (run.File(".Trainer.g.cs"), run.File(".Options.g.cs"));
    }

    private static IEnumerable<int> AllIndexesOf(string text, string value)
    {
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
            yield return i;
    }

    private static string Source(string name, string attributes, string members) => EchoSource(name, attributes, members);

    /// <summary>The echo-a-digit task with the given loss attributes and extra members.</summary>
    internal static string EchoSource(string name, string attributes, string members) => $$"""
        using System;
        using System.Collections.Generic;
        using Rft;

        namespace Samples.Loss;

        public sealed record DigitTask(int Digit);

        [Pipeline]
        [Policy(Preset = "nano")]
        {{attributes}}
        public partial class {{name}}
        {
            [Source]
            public static IEnumerable<DigitTask> Digits(Random rng)
            {
                while (true) yield return new DigitTask(rng.Next(10));
            }

            [EvalSource(Count = 16)] public static IEnumerable<DigitTask> HeldOut(Random rng) => Digits(rng);

            [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

            [Reward]
            public static float Echoed(int digit, Completion completion) =>
                completion.Text.Length > 0 && completion.Text[0] == (char)('0' + digit) ? 1f : 0f;

        {{members}}
        }
        """;
}
