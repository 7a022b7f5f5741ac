using System.Linq;
using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        /// <summary>
        /// What evaluations leave behind beyond an accuracy: the first held-out records' completions and rewards
        /// (<c>EvaluationSamples</c>, kept by <c>CountCorrect</c> for samples.jsonl and the report), and the eval verb's
        /// <c>EvaluateHeldOutAsync</c>: greedy accuracy, pass@k from sampled completions, every reward's mean and the
        /// completion length on the held-out records.
        /// </summary>
        private static void WriteEvaluationSamplesAndHeldOut(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            string record = p.RecordType;
            int accuracy = t.Rewards.IndexOf(t.Accuracy);
            writer.WriteLine($$"""
                // Held-out records whose completions each evaluation keeps (samples.jsonl, the report, eval.json).
                private const int EvaluationSampleCount = 4;

                private readonly global::System.Collections.Generic.List<global::Rft.Training.EvaluationSample> _evaluationSamples = new();

                /// <inheritdoc />
                public global::System.Collections.Generic.IReadOnlyList<global::Rft.Training.EvaluationSample> EvaluationSamples => _evaluationSamples;

                // Called by CountCorrect with its first chunk decoded: row i of _completions belongs to records[evaluated[i]].
                private void RecordEvaluationSamples({{record}}[] records, global::System.ReadOnlySpan<int> evaluated, int rows)
                {
                    _evaluationSamples.Clear();
                    var rewards = new float[RewardNames.Length];
                    for (int i = 0; i < global::System.Math.Min(rows, EvaluationSampleCount); i++)
                    {
                        var record = records[evaluated[i]];
                        var completion = _completions[i];
                        bool correct = ScoreEvaluation(record, completion, rewards);
                        _evaluationSamples.Add(global::Rft.Training.EvaluationSample.Create(
                            {{RenderCall(t, "record", evaluation: true)}}, completion.ToString(), RewardNames, rewards, WeightedReward(rewards), correct));
                    }
                }

                // Every reward's value for one completion, NaN where a reward throws or returns NaN; true when
                // {{t.Accuracy.Spec.Method}} scores at least 1.
                private bool ScoreEvaluation({{record}} record, global::Rft.Completion completion, float[] rewards)
                {
                """);
            writer.Indentation++;
            for (int i = 0; i < t.Rewards.Count; i++)
            {
                var reward = t.Rewards[i].Spec;
                string call = t.GuardedCall(reward, "record", "completion");
                // Evaluation scores synchronously: a reward that has not completed is waited for (up to its timeout).
                string value = reward.Returns == RewardReturnKind.ValueTaskOfSingle ? $"WaitForScore({call})" : call;
                writer.WriteLine($"try {{ rewards[{i}] = {value}; }} catch (global::System.Exception) {{ rewards[{i}] = float.NaN; }}");
            }

            writer.WriteLine($"return rewards[{accuracy}] >= 1f;");
            writer.CloseBlock();
            writer.WriteLine();

            string weighted = string.Join(" + ", t.Rewards.Select((r, i) => $"_options.{r.Spec.Method}Weight * rewards[{i}]"));
            writer.WriteLine($"private double WeightedReward(float[] rewards) => {weighted};");
            if (p.HasAsyncRewards)
            {
                writer.WriteLine("""

                    private static float WaitForScore(global::System.Threading.Tasks.ValueTask<float> score) =>
                        score.IsCompletedSuccessfully ? score.Result : score.AsTask().GetAwaiter().GetResult();
                    """);
            }

            string render = RenderCall(t, "_heldOut[start + i]", evaluation: true);
            writer.WriteLine();
            writer.WriteLine($$"""
                /// <inheritdoc />
                public global::System.Threading.Tasks.ValueTask<global::Rft.Training.HeldOutEvaluation> EvaluateHeldOutAsync(
                    global::Rft.Training.HeldOutEvaluationSettings settings,
                    global::System.IProgress<global::Rft.Training.EvaluationProgress>? progress,
                    global::System.Threading.CancellationToken cancellationToken)
                {
                    long started = global::System.Diagnostics.Stopwatch.GetTimestamp();
                    var tally = new global::Rft.Training.HeldOutTally(RewardNames, _heldOut.Length, settings);
                    var rewards = new float[RewardNames.Length];

                    // Greedy: one completion per problem, decoded as the run's evaluations decode.
                    var greedy = new global::Rft.Rollout.SamplingSettings(_options.MaxNewTokens, 0, 1);
                    for (int start = 0; start < _heldOut.Length; start += EvaluationChunk)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        int count = global::System.Math.Min(EvaluationChunk, _heldOut.Length - start);
                        _prompts.Clear();
                        for (int i = 0; i < count; i++) _prompts.Add({{render}}, _tokenizer);
                        var rollout = _sampler.Generate(_prompts, 1, greedy, _sampling);
                        _completions.Decode(rollout);
                        for (int i = 0; i < count; i++)
                        {
                            var completion = _completions[i];
                            bool correct = ScoreEvaluation(_heldOut[start + i], completion, rewards);
                            tally.AddGreedy(rewards, correct, rollout.CompletionTokenCount(i));
                            if (start + i < EvaluationSampleCount)
                            {
                                tally.AddExample(global::Rft.Training.EvaluationSample.Create(
                                    {{render}}, completion.ToString(), RewardNames, rewards, WeightedReward(rewards), correct));
                            }
                        }

                        progress?.Report(new global::Rft.Training.EvaluationProgress("greedy", start + count, _heldOut.Length, tally.GreedyAccuracy));
                    }

                    // Sampled: settings.Samples completions per problem from a generator of their own, as many problems per
                    // batch as the sampler's rows hold (a problem's samples span several batches when they outnumber the rows).
                    var sampling = new global::Rft.Rollout.SamplingSettings(_options.MaxNewTokens, settings.Temperature, settings.TopP);
                    int perBatch = global::System.Math.Min(settings.Samples, _completions.MaxRows);
                    int problemsPerBatch = global::System.Math.Max(1, _completions.MaxRows / perBatch);
                    using var generator = new global::TorchSharp.torch.Generator((ulong)settings.Seed, _device);
                    for (int start = 0; start < _heldOut.Length; start += problemsPerBatch)
                    {
                        int count = global::System.Math.Min(problemsPerBatch, _heldOut.Length - start);
                        _prompts.Clear();
                        for (int i = 0; i < count; i++) _prompts.Add({{render}}, _tokenizer);
                        for (int drawn = 0; drawn < settings.Samples; drawn += perBatch)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            int samples = global::System.Math.Min(perBatch, settings.Samples - drawn);
                            var rollout = _sampler.Generate(_prompts, samples, sampling, generator);
                            _completions.Decode(rollout);
                            for (int row = 0; row < count * samples; row++)
                            {
                                int problem = start + row / samples;
                                bool correct = ScoreEvaluation(_heldOut[problem], _completions[row], rewards);
                                tally.AddSample(problem, rewards, correct, rollout.CompletionTokenCount(row));
                            }
                        }

                        progress?.Report(new global::Rft.Training.EvaluationProgress("sampled", start + count, _heldOut.Length, tally.SampledAccuracy));
                    }

                    return new(tally.Finish(global::System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds));
                }
                """);
        }
    }
}
