using System.Linq;
using Rft.Generators.Emit;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        // What a prompt longer than MaxPromptTokens does (Rft:OverlongPrompts): training prompts and held-out prompts
        // each go through a PromptLengthGuard that applies the setting and counts what it skipped or truncated.

        private const string PromptGuard = "global::Rft.Rollout.PromptLengthGuard";

        /// <summary>The [Rollout] option <c>OverlongPrompts</c>, checked to be a member of the enum.</summary>
        private static OptionProperty OverlongPromptsOption(string member) => EnumOption("OverlongPrompts", "global::Rft.OverlongPrompts", member);

        private static void WritePromptFields(SourceWriter writer)
        {
            writer.WriteLine($$"""
                private {{PromptGuard}} _promptGuard = null!;           // Rft:OverlongPrompts for the training prompts, counted per step
                private {{PromptGuard}} _evaluationPromptGuard = null!; // and for the held-out prompts, counted over the run
                """);
        }

        /// <summary>Setup: the guards; evaluation walks a finite set, so it never gives up on skipping.</summary>
        private static void WritePromptSetup(SourceWriter writer)
        {
            writer.WriteLine($$"""
                _promptGuard = new {{PromptGuard}}(_options.OverlongPrompts);
                _evaluationPromptGuard = new {{PromptGuard}}(_options.OverlongPrompts, maxConsecutiveSkips: int.MaxValue);
                """);
        }

        /// <summary>The step's metrics of the training guard, the last names of the RL report.</summary>
        private static void WritePromptMetrics(SourceWriter writer) =>
            writer.WriteLine($"_promptGuard.WriteMetrics(global::System.MemoryExtensions.AsSpan(report.Extra, report.Extra.Length - {PromptGuard}.MetricNames.Count));");

        /// <summary>
        /// CountCorrect's chunk: each record's prompt through the evaluation guard, the rows that got one in
        /// <c>evaluated</c>. A prompt skipped as overlong is not rolled out and its record counts as not solved,
        /// so that skipping can never raise the accuracy.
        /// </summary>
        /// <param name="indent">What the lines after the first are indented by, to stand where the first does.</param>
        private static string EvaluationPrompts(TrainerModel t, string indent) => IndentFollowingLines(indent, $$"""
            int rows = 0;
            for (int i = 0; i < count; i++)
            {
                // Under Rft:OverlongPrompts = Skip a record whose prompt is too long is not rolled out: it counts as not solved.
                if (_evaluationPromptGuard.TryAdd(_prompts, {{RenderCall(t, "records[start + i]", evaluation: true)}}, _tokenizer)) evaluated[rows++] = start + i;
            }

            if (rows == 0) continue;
            """);

        private static string IndentFollowingLines(string indent, string text) =>
            string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Select((line, i) => i == 0 || line.Length == 0 ? line : indent + line));

        /// <summary>Run facts: the prompts skipped or truncated over the run, when the setting allows either.</summary>
        private static void WritePromptFacts(SourceWriter writer)
        {
            writer.WriteLine("""
                if (_options.OverlongPrompts != global::Rft.OverlongPrompts.Error)
                {
                    facts.Add(new("prompts_skipped_overlong", _promptGuard.TotalSkipped));
                    facts.Add(new("prompts_truncated", _promptGuard.TotalTruncated));
                    facts.Add(new("eval_prompts_skipped_overlong", _evaluationPromptGuard.TotalSkipped));
                    facts.Add(new("eval_prompts_truncated", _evaluationPromptGuard.TotalTruncated));
                }
                """);
        }
    }
}
