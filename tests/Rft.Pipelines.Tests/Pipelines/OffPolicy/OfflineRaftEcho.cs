using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>RAFT on logged data: another system's text completions with rewards, nothing sampled (the test writes the log).</summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 4, PromptsPerStep = 10)]
[Raft(TopK = 1, Threshold = 1)]
[OfflineRollouts("logged.jsonl")]
[Training(Steps = 30, LearningRate = 3e-3, WarmupSteps = 2, Seed = 7)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class OfflineRaftEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 50)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
