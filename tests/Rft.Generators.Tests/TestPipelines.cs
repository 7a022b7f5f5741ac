namespace Rft.Generators.Tests;

/// <summary>Small pipelines written for the tests, beside the repository's examples.</summary>
internal static class TestPipelines
{
    /// <summary>
    /// The least a pipeline needs: one source, a prompt and a reward, every setting at its default;
    /// no warm-up, no KL, no entropy, no [EvalSource] (evaluation falls back to the sources); internal.
    /// </summary>
    public const string Minimal = """
        using System;
        using System.Collections.Generic;
        using Rft;

        namespace Samples.Minimal;

        /// <summary>A digit to repeat back.</summary>
        public sealed record DigitTask(int Digit);

        [Pipeline]
        internal partial class Echo
        {
            [Source]
            public static IEnumerable<DigitTask> Digits(Random rng)
            {
                while (true) yield return new DigitTask(rng.Next(10));
            }

            [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

            [Reward]
            public static float Echoed(int digit, Completion completion) =>
                completion.Text.Length > 0 && completion.Text[0] == (char)('0' + digit) ? 1f : 0f;
        }
        """;

    /// <summary>
    /// Every optional part live: a KL penalty, an entropy bonus, a warm-up with [SftWarmup]'s defaults,
    /// two weighted sources, an instance async accuracy reward that takes the whole record, and a
    /// static double reward bound to a record member named in another case.
    /// </summary>
    public const string Full = """
        using System;
        using System.Collections.Generic;
        using System.Globalization;
        using System.Threading.Tasks;
        using Rft;

        namespace Samples.Full;

        public sealed record Question(string Text, int Answer, string Category);

        [Pipeline]
        [Policy(Preset = "nano")]
        [Grpo(GroupSize = 4, PromptsPerStep = 2, ClipLow = 0.1, ClipHigh = 0.3, ScaleByStd = false)]
        [KlPenalty(0.05, Estimator = KlEstimator.K2)]
        [EntropyBonus(0.001)]
        [Training(Steps = 20, LearningRate = 1e-4, Seed = 7)]
        [Rollout(MaxNewTokens = 4, MaxPromptTokens = 12, Temperature = 0.7, TopP = 0.95)]
        public partial class Quiz
        {
            private int _judged;

            [Source(Weight = 2)]
            public static IEnumerable<Question> Sums(Random rng)
            {
                while (true)
                {
                    int a = rng.Next(10), b = rng.Next(10);
                    yield return new Question($"{a}+{b}", a + b, "sum");
                }
            }

            [Source(Weight = 0.5)]
            public static IEnumerable<Question> Doubles(Random rng)
            {
                while (true)
                {
                    int a = rng.Next(10);
                    yield return new Question($"{a}*2", a * 2, "double");
                }
            }

            [EvalSource(Count = 64)] public static IEnumerable<Question> HeldOut(Random rng) => Sums(rng);

            [Prompt] public static string Ask(Question question) => question.Text + "=";

            [Demonstration] public static string Solve(Question question) => question.Answer.ToString(CultureInfo.InvariantCulture);

            [Reward(Accuracy = true)]
            public async ValueTask<float> Exact(Question question, Completion completion)
            {
                _judged++;
                await Task.Yield();
                return completion.TryParseInt(out var value) && value == question.Answer ? 1f : 0f;
            }

            [Reward(Weight = 0.2)]
            public static double Brief(string category, Completion completion) => completion.TokenCount <= 3 || category == "sum" ? 1.0 : 0.0;
        }
        """;

    /// <summary>A pipeline in the global namespace, with a reward named like a C# keyword.</summary>
    public const string GlobalNamespace = """
        using System;
        using System.Collections.Generic;
        using Rft;

        public readonly record struct Pair(int Left, int Right);

        [Pipeline]
        public static partial class Adder
        {
            [Source] public static IEnumerable<Pair> Pairs(Random rng) { while (true) yield return new Pair(rng.Next(5), rng.Next(5)); }

            [EvalSource(Count = 10)] public static IEnumerable<Pair> HeldOut(Random rng) => Pairs(rng);

            [Prompt] public static string Render(Pair pair) => $"{pair.Left}+{pair.Right}=";

            [Reward] public static float @float(int left, int right, Completion completion) => completion.TryParseInt(out var sum) && sum == left + right ? 1f : 0f;

            [Reward(Weight = 0.5)] public static float Record(Pair record, Completion completion) => completion.Finished ? 1f : 0f;
        }
        """;

    /// <summary>
    /// Where records come from and which ones a step trains on: a JSON Lines file bound through a
    /// JsonSerializerContext beside a generated source, a held-out JSON Lines file, the Self-Evolving
    /// Curriculum keyed on a record member, a prior prompt, and LoRA adapters.
    /// </summary>
    public const string Data = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using Rft;

        namespace Samples.Data;

        public sealed record MathProblem(string Question, int Answer, int Level);

        [JsonSerializable(typeof(MathProblem))]
        public partial class MathJson : JsonSerializerContext
        {
            // System.Text.Json's generator does not run in these tests: a stand-in for its output.
            public static MathJson Default { get; } = new();
            public MathJson() : base(null) { }
            protected override System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;
            public override System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(Type type) => null;
        }

        [Pipeline]
        [JsonlSource("data/train.jsonl", typeof(MathProblem), Name = "Train", Weight = 3, JsonContext = typeof(MathJson), OnError = MalformedRows.Skip)]
        [JsonlEvalSource("data/test.jsonl", typeof(MathProblem), Count = 100)]
        [Curriculum(CurriculumKind.SelfEvolving, Key = "Level", Alpha = 0.3, Temperature = 0.5)]
        [PriorPrompt("Answer with a number.\n")]
        [Lora(Rank = 4, Alpha = 8, Targets = "q_proj,v_proj")]
        public partial class Tutor
        {
            [Source(Weight = 1)]
            public static IEnumerable<MathProblem> Drills(Random rng)
            {
                while (true)
                {
                    int a = rng.Next(10), b = rng.Next(10);
                    yield return new MathProblem($"{a}+{b}", a + b, 1);
                }
            }

            [Prompt] public static string Render(MathProblem p) => $"{p.Question}=";

            [Reward] public static float Correct(int answer, Completion c) => c.TryParseInt(out var v) && v == answer ? 1f : 0f;
        }
        """;

    /// <summary>A [Prompt] that returns OpenAI-style messages as a JsonArray: a system message and the question.</summary>
    public const string ChatJson = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Nodes;
        using Rft;

        namespace Samples.Chat;

        public sealed record Question(string Text, int Answer);

        [Pipeline]
        public partial class Tutor
        {
            [Source]
            public static IEnumerable<Question> Sums(Random rng)
            {
                while (true)
                {
                    int a = rng.Next(10), b = rng.Next(10);
                    yield return new Question($"{a}+{b}", a + b);
                }
            }

            [EvalSource(Count = 20)] public static IEnumerable<Question> HeldOut(Random rng) => Sums(rng);

            [Prompt]
            public static JsonArray Render(Question question) => new()
            {
                new JsonObject { ["role"] = "system", ["content"] = "Answer with a number." },
                new JsonObject { ["role"] = "user", ["content"] = question.Text },
            };

            [Reward(Accuracy = true)]
            public static float Correct(int answer, Completion completion) => completion.TryParseInt(out int value) && value == answer ? 1f : 0f;
        }
        """;

    /// <summary>A [Prompt] that returns Rft.Text.ChatMessage[], with a [Demonstration] so the warm-up renders prompts too.</summary>
    public const string ChatMessages = """
        using System;
        using System.Collections.Generic;
        using Rft;
        using Rft.Text;

        namespace Samples.ChatMessages;

        public sealed record Question(string Text, int Answer);

        [Pipeline]
        public partial class Tutor
        {
            [Source]
            public static IEnumerable<Question> Sums(Random rng)
            {
                while (true)
                {
                    int a = rng.Next(10), b = rng.Next(10);
                    yield return new Question($"{a}+{b}", a + b);
                }
            }

            [EvalSource(Count = 20)] public static IEnumerable<Question> HeldOut(Random rng) => Sums(rng);

            [Prompt] public static ChatMessage[] Render(Question question) => [ChatMessage.User(question.Text)];

            [Demonstration] public static string Solve(Question question) => question.Answer.ToString();

            [Reward(Accuracy = true)]
            public static float Correct(int answer, Completion completion) => completion.TryParseInt(out int value) && value == answer ? 1f : 0f;
        }
        """;
}
