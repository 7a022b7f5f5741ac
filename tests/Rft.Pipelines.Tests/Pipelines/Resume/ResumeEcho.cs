using Rft;

namespace Rft.Pipelines.Tests.Pipelines.Resume;

/// <summary>
/// Every piece of trainer state a resume must restore, in one small pipeline: a supervised warm-up (its optimizer and
/// stopping rule), the Self-Evolving Curriculum (its bandit and the mixture's position), a KL reference copied as RL starts,
/// several shuffled updates per rollout (the mini-batch generator) and sampling (the sampler's generator).
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[SftWarmup(MaxSteps = 6, BatchSize = 8, LearningRate = 2e-3, WarmupSteps = 1, EvalEvery = 3, ValidationSize = 8, TargetAccuracy = 1.1)]
[Grpo(GroupSize = 4, PromptsPerStep = 4)]
[KlPenalty(0.05, Estimator = KlEstimator.K3)]
[Curriculum(CurriculumKind.SelfEvolving, Key = "Digits", Alpha = 0.5, Temperature = 0.2)]
[Training(Steps = 8, LearningRate = 2e-3, WarmupSteps = 1, Seed = 41, LogEvery = 1, PpoEpochs = 2, MiniBatches = 2, CheckpointEvery = 5)]
[Rollout(MaxNewTokens = 4, MaxPromptTokens = 6)]
public partial class ResumeEcho
{
    [Source(Weight = 1)] public static IEnumerable<EchoNumber> OneDigit(Random rng) => Numbers(rng, 1);

    [Source(Weight = 1)] public static IEnumerable<EchoNumber> TwoDigits(Random rng) => Numbers(rng, 2);

    [EvalSource(Count = 8)] public static IEnumerable<EchoNumber> HeldOut(Random rng) => Numbers(rng, 1);

    [Prompt] public static string Render(EchoNumber n) => n.Text + ":";

    [Demonstration] public static string Answer(EchoNumber n) => n.Text;

    [Reward(Accuracy = true)]
    public static float Echoed(string text, Completion c) => c.Text.SequenceEqual(text) ? 1f : 0f;

    [Reward(Weight = 0.1)]
    public static float Short(Completion c) => 1f / (1 + c.TokenCount);

    private static IEnumerable<EchoNumber> Numbers(Random rng, int digits)
    {
        int low = digits == 1 ? 0 : (int)Math.Pow(10, digits - 1), high = (int)Math.Pow(10, digits);
        while (true) yield return new EchoNumber(rng.Next(low, high).ToString(System.Globalization.CultureInfo.InvariantCulture), digits);
    }
}

/// <summary><see cref="ResumeEcho"/> with LoRA adapters trained through the warm-up and RL, and bfloat16 weights: the unmerged adapters and the float32 masters must come back.</summary>
[Pipeline]
[Policy(Preset = "nano")]
[SftWarmup(MaxSteps = 4, BatchSize = 8, LearningRate = 2e-3, WarmupSteps = 1, EvalEvery = 2, ValidationSize = 8, TargetAccuracy = 1.1)]
[Grpo(GroupSize = 4, PromptsPerStep = 4)]
[KlPenalty(0.05, Estimator = KlEstimator.K3)]
[Lora(Rank = 4, Alpha = 8, WarmUp = true, Dropout = 0.1)]
[Training(Steps = 6, LearningRate = 2e-3, WarmupSteps = 1, Seed = 43, LogEvery = 1, PpoEpochs = 2, MiniBatches = 2, Precision = Precision.Bf16)]
[Rollout(MaxNewTokens = 4, MaxPromptTokens = 6)]
public partial class ResumeLoraEcho
{
    [Source] public static IEnumerable<EchoNumber> Digits(Random rng) => ResumeEchoNumbers.OneOrTwo(rng);

    [EvalSource(Count = 8)] public static IEnumerable<EchoNumber> HeldOut(Random rng) => ResumeEchoNumbers.OneOrTwo(rng);

    [Prompt] public static string Render(EchoNumber n) => n.Text + ":";

    [Demonstration] public static string Answer(EchoNumber n) => n.Text;

    [Reward(Accuracy = true)]
    public static float Echoed(string text, Completion c) => c.Text.SequenceEqual(text) ? 1f : 0f;
}

internal static class ResumeEchoNumbers
{
    public static IEnumerable<EchoNumber> OneOrTwo(Random rng)
    {
        while (true)
        {
            int value = rng.Next(100);
            yield return new EchoNumber(value.ToString(System.Globalization.CultureInfo.InvariantCulture), value < 10 ? 1 : 2);
        }
    }
}
