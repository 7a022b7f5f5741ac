using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>The echo task with RAFT: of each prompt's 8 completions keep the best one if it is right, and imitate it.</summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 8, PromptsPerStep = 16)]
[Raft(TopK = 1, Threshold = 1)]
[Training(Steps = 30, LearningRate = 2e-3, WarmupSteps = 2, Seed = 7)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class RaftEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 50)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
