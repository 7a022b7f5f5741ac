using Rft;

namespace Rft.Pipelines.Tests.Pipelines.OffPolicy;

/// <summary>The echo task with replay corrected by verl's truncated importance sampling instead of the behaviour ratio.</summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 8)]
[Replay(Capacity = 128, MaxStaleness = 3, OnPolicyShare = 0.5, Correction = ImportanceCorrection.TruncatedWeights, TruncationCap = 1.5, SignalOnly = false)]
[Training(Steps = 4, LearningRate = 5e-3, WarmupSteps = 0, Seed = 5, MiniBatches = 2)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class TisEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 8)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
