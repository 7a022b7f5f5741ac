using Rft;
using TorchSharp;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>
/// The echo task with PPO: GAE from a value head, the clipped surrogate with dual clip, the KL in the
/// reward, seq-mean-token-mean aggregation, and a user term that reads the values.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Gae(GroupSize = 2, PromptsPerStep = 8, Gamma = 1.0, Lambda = 0.95)]
[ValueHead(Coefficient = 0.5, ClipRange = 0.2, LearningRate = 1e-2)]
[ClippedSurrogate(ClipLow = 0.2, ClipHigh = 0.28, ClipRatioC = 3.0)]
[KlPenalty(0.01, Estimator = KlEstimator.K1, Placement = KlPlacement.InReward)]
[Aggregation(AggregationMode.SeqMeanTokenMean)]
[Training(Steps = 3, LearningRate = 1e-3, Seed = 11)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class PpoEcho
{
    /// <summary>The value head's mean squared prediction, as seen by the last user term.</summary>
    public static double LastValueScale { get; private set; } = double.NaN;

    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 8)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => $"{task.Digit}:";

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;

    // Keeps the value head's predictions small.
    [LossTerm(Weight = 0.01)]
    public static torch.Tensor ValueScale(StepView s)
    {
        var scale = (s.Values.square() * s.Mask).sum() / s.Mask.sum().clamp_min(1);
        LastValueScale = scale.item<float>();
        return scale;
    }
}
