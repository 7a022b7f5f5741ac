using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>
/// The echo task with ReMix: replay of the last two steps, two optimizer steps per rollout, the KL-convex term, and
/// reincarnation at step 4, after which training is on-policy against the new reference.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 8)]
[KlPenalty(0.05)]
[Replay(Capacity = 96, MaxStaleness = 2, OnPolicyShare = 0.5, SignalOnly = false)]
[ReMix(UpdateToData = 2, KlConvexWeight = 0.5, ReincarnationStep = 4)]
[Training(Steps = 6, LearningRate = 2e-3, WarmupSteps = 0, Seed = 5)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class RemixEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 8)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
