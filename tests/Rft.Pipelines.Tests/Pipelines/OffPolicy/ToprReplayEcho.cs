using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>The echo task with TOPR on fresh and replayed rows, positive and negative ones, no KL.</summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 8, PromptsPerStep = 16)]
[Topr]
[Replay(Capacity = 512, MaxStaleness = 3, OnPolicyShare = 0.5)]
[Training(Steps = 30, LearningRate = 2e-3, WarmupSteps = 2, Seed = 7)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class ToprReplayEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 50)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
