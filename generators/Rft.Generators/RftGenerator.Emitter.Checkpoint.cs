using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        private const string Checkpoints = "global::Rft.Training.TrainerCheckpoint";

        /// <summary>
        /// SaveCheckpoint and LoadCheckpoint: everything that decides what the next step computes, written between steps and
        /// read back after Setup, so a resumed run computes what the uninterrupted one would have.
        /// </summary>
        private static void WriteSaveAndLoadCheckpoint(SourceWriter writer, TrainerModel t)
        {
            WriteSaveCheckpoint(writer, t);
            writer.WriteLine();
            WriteLoadCheckpoint(writer, t);
        }

        private static void WriteSaveCheckpoint(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            bool warmup = p.Warmup is not null;
            writer.WriteLine($$"""
                /// <inheritdoc />
                public void SaveCheckpoint(string directory)
                {
                    // The Hugging Face export (weights, LoRA merged), the tokenizer, the phase's optimizer and the steps; then what
                    // that export does not keep exactly (LoRA unmerged, float32 masters) and every random state.
                    var optimizer = {{(warmup ? "_optimizer ?? _sftOptimizer" : "_optimizer")}}; // the phase's: the warm-up's until RL starts
                    global::Rft.Training.Checkpoint.Save(directory, _policy, optimizer, _tokenizer, new global::Rft.Training.TrainerState(PipelineName, _options.Seed, {{(warmup ? "_sftSteps" : "SftSteps: 0")}}, _rlSteps));
                    {{Checkpoints}}.SavePolicy(directory, _policy, optimizer);
                """);
            writer.Indentation++;
            if (p.Loss.ValueHead is not null)
            {
                writer.WriteLine($$"""
                    global::Rft.Training.ModuleState.Save(_valueHead, global::System.IO.Path.Combine(directory, "value_head.safetensors")); // [ValueHead]
                    if (_optimizer is not null) _valueOptimizer.Save(global::System.IO.Path.Combine(directory, {{Checkpoints}}.ValueOptimizerFile));
                    """);
            }

            if (p.Loss.NeedsReferencePolicy)
                writer.WriteLine($"_reference?.Save(global::System.IO.Path.Combine(directory, {Checkpoints}.ReferenceFile)); // a copied reference's weights");
            if (HasCurriculum(p)) writer.WriteLine("global::Rft.Training.Checkpoint.SaveCurriculum(directory, _curriculum);");
            WriteOffPolicyCheckpoint(writer, t);
            writer.WriteLine($"{Checkpoints}.RandomStates({(warmup ? "_warmUpFinished" : "true")}, _mixture.Position, _policy, _sampling, _schedule).Save(directory);");
            writer.CloseBlock();
        }

        private static void WriteLoadCheckpoint(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            bool warmup = p.Warmup is not null;
            writer.WriteLine("""
                /// <inheritdoc />
                public global::Rft.Training.TrainerState LoadCheckpoint(string directory)
                {
                    var state = global::Rft.Training.Checkpoint.ReadState(directory, PipelineName);
                    var resume = global::Rft.Training.ResumeState.Load(directory);
                """);
            writer.Indentation++;
            if (warmup)
            {
                writer.WriteLine("""
                    _sftSteps = state.SftSteps;
                    _warmUpFinished = resume.WarmUpFinished;
                    """);
            }

            writer.WriteLine("""
                _rlSteps = state.RlSteps;
                if (state.RlSteps > 0)
                {
                    // In RL: what TrainAsync sets up as RL starts (the reference as it stood then, the adapters RL trains),
                    // then the saved weights and optimizer.
                """);
            writer.Indentation++;
            bool reincarnates = t.Plan.OffPolicy.ReMix is not null;
            string referenceFile = $"global::System.IO.Path.Combine(directory, {Checkpoints}.ReferenceFile)";
            if (p.Loss.NeedsReferencePolicy)
            {
                string baseWeights = p.Policy.Lora is null ? "false" : "_options.LoraEnabled && !(HasWarmUp && _options.LoraWarmUp)";
                if (reincarnates) writer.WriteLine("bool reincarnated = _options.ReincarnationStep > 0 && state.RlSteps >= _options.ReincarnationStep;");
                writer.WriteLine((reincarnates ? "if (!reincarnated) " : string.Empty)
                    + $"_reference = global::Rft.Training.FrozenReference.Restore(_policy, baseWeightsAreReference: {baseWeights}, {referenceFile});");
            }

            WriteLoraAtRlStart(writer, p);
            if (p.Loss.NeedsReferencePolicy && reincarnates)
            {
                writer.WriteLine($$"""
                    // [ReMix] after reincarnation the reference was the policy (adapters and all) at ReincarnationStep: a saved copy.
                    if (reincarnated) _reference = global::Rft.Training.FrozenReference.Restore(_policy, baseWeightsAreReference: false, {{referenceFile}});
                    """);
            }

            writer.WriteLine($$"""
                {{Checkpoints}}.LoadPolicy(directory, _policy);
                _optimizer = new global::Rft.Training.PolicyOptimizer(_policy, new global::Rft.Training.OptimizerSettings(
                    _options.LearningRate, _options.WeightDecay, _options.MaxGradNorm, _options.WarmupSteps, _options.Steps, _options.MinLearningRateRatio));
                {{Checkpoints}}.LoadOptimizer(directory, _optimizer);
                """);
            if (p.Loss.ValueHead is not null)
            {
                writer.WriteLine($$"""
                    global::Rft.Training.ModuleState.Load(_valueHead, global::System.IO.Path.Combine(directory, "value_head.safetensors"));
                    _valueOptimizer.Load(global::System.IO.Path.Combine(directory, {{Checkpoints}}.ValueOptimizerFile));
                    """);
            }

            writer.Indentation--;
            writer.WriteLine("}");
            writer.WriteLine("else");
            writer.OpenBlock();
            writer.WriteLine("// In the warm-up (or at its end): the weights, and the warm-up's optimizer while it still runs.");
            writer.WriteLine($"{Checkpoints}.LoadPolicy(directory, _policy);");
            if (warmup)
            {
                writer.WriteLine($$"""
                    if (state.SftSteps > 0 && !resume.WarmUpFinished)
                    {
                        _sftOptimizer = new global::Rft.Training.PolicyOptimizer(_policy, new global::Rft.Training.OptimizerSettings(
                            _options.SftLearningRate, _options.WeightDecay, _options.MaxGradNorm, _options.SftWarmupSteps, _options.SftMaxSteps, _options.SftMinLearningRateRatio));
                        {{Checkpoints}}.LoadOptimizer(directory, _sftOptimizer);
                    }
                    """);
            }

            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine(HasCurriculum(p)
                ? """
                  // The records: the curriculum's state replays the mixture (System.Random sources cannot be saved) to where it stood.
                  global::Rft.Training.Checkpoint.LoadCurriculum(directory, _curriculum);
                  """
                : """
                  // The records: the mixture is rebuilt from its seed in Setup and replayed to where it stood (System.Random
                  // sources cannot be saved).
                  _mixture.FastForward(resume.MixturePosition);
                  """);
            WriteOffPolicyLoad(writer, t);
            writer.WriteLine($$"""
                // --Rft:DumpRollouts: rollouts.jsonl keeps the steps up to the checkpoint's and goes on after them.
                _rolloutLog?.ContinueAfter(state.RlSteps);
                {{Checkpoints}}.RestoreRandomStates(resume, _policy, _sampling, _schedule);
                return state;
                """);
            writer.CloseBlock();
        }
    }
}
