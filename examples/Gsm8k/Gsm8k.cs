using Rft;
using Rft.Rewards;

namespace Gsm8k;

/// <summary>
/// GRPO on grade-school math word problems read from JSON Lines files of <c>{"question", "answer"}</c> rows
/// (GSM8K's own format). Point it at your copies of the files:
/// <c>dotnet run --project examples/Gsm8k -- --Rft:TrainPath=path/to/train.jsonl --Rft:EvalPath=path/to/test.jsonl</c>,
/// and at a pretrained model with <c>--Rft:PolicyPath=path/to/Qwen2.5-0.5B-Instruct</c>: the default preset policy,
/// trained from scratch on characters, shows that loading, rendering, rollouts and scoring work end to end on a CPU,
/// not that it can learn arithmetic reasoning.
/// </summary>
[Pipeline]
[Policy(Preset = "small")]
[JsonlSource("data/gsm8k/train.jsonl", typeof(Gsm8kProblem), Name = "Train", JsonContext = typeof(Gsm8kJson), OnError = MalformedRows.Skip)]
[JsonlEvalSource("data/gsm8k/test.jsonl", typeof(Gsm8kProblem), Count = 200, JsonContext = typeof(Gsm8kJson))]
[PriorPrompt("Solve the problem step by step, then write the final answer after '####'.\n", AtEvaluation = true)]
[Grpo(GroupSize = 4, PromptsPerStep = 4, ClipLow = 0.2, ClipHigh = 0.28)]
[Training(Steps = 50, LearningRate = 1e-5, WarmupSteps = 5, Seed = 1234, LogEvery = 5, EvalEvery = 0)]
[Rollout(MaxNewTokens = 128, MaxPromptTokens = 1100, Temperature = 1.0)]
public partial class Gsm8k
{
    [Prompt] public static string Render(Gsm8kProblem p) => $"Question: {p.Question}\nAnswer:";

    /// <summary>1 when the completion's final answer (after <c>####</c>, else its last number) equals the reference's.</summary>
    [Reward(Weight = 1.0, Accuracy = true)]
    public static float Correct(string answer, Completion c)
    {
        if (!FinalAnswer.TryExtractGsm8k(answer, out var expected)) return float.NaN; // a malformed reference is masked and counted
        var text = c.Text;
        if (!FinalAnswer.TryExtractGsm8k(text, out var given) && !FinalAnswer.TryExtractLastNumber(text, out given)) return 0f;
        return NumericAnswer.AreEquivalent(given, expected) ? 1f : 0f;
    }

    /// <summary>A small bonus for following the answer format.</summary>
    [Reward(Weight = 0.1)]
    public static float Formatted(Completion c) => FinalAnswer.TryExtractGsm8k(c.Text, out _) ? 1f : 0f;
}
