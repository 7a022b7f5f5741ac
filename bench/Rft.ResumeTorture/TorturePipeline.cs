using Rft;

namespace Rft.ResumeTorture;

/// <summary>A sum to answer; its operands' digits are its difficulty category.</summary>
public sealed record Sum(int A, int B, int Digits)
{
    public int Answer => A + B;
}

/// <summary>
/// The pipeline the torture bench kills: a warm-up, the Self-Evolving Curriculum, a k3 KL reference, two epochs of two
/// mini-batches per rollout in micro-batches, LoRA through RL, periodic checkpoints every 3 steps.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[SftWarmup(MaxSteps = 30, BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 2, EvalEvery = 10, ValidationSize = 32, TargetAccuracy = 1.1)]
[Grpo(GroupSize = 4, PromptsPerStep = 4)]
[KlPenalty(0.02, Estimator = KlEstimator.K3)]
[Curriculum(CurriculumKind.SelfEvolving, Key = "Digits", Alpha = 0.5, Temperature = 0.3)]
[Lora(Rank = 4, Alpha = 8)]
[Training(Steps = 30, LearningRate = 1e-3, WarmupSteps = 2, Seed = 77, LogEvery = 1, PpoEpochs = 2, MiniBatches = 2, MicroBatchSize = 4, CheckpointEvery = 3, KeepCheckpoints = 2)]
[Rollout(MaxNewTokens = 5, MaxPromptTokens = 10)]
public partial class TorturePipeline
{
    [Source(Weight = 1)] public static IEnumerable<Sum> OneDigit(Random rng) => Sums(rng, 1);

    [Source(Weight = 1)] public static IEnumerable<Sum> TwoDigits(Random rng) => Sums(rng, 2);

    [EvalSource(Count = 32)] public static IEnumerable<Sum> HeldOut(Random rng) => Sums(rng, 2);

    [Prompt] public static string Render(Sum s) => $"{s.A}+{s.B}=";

    [Demonstration] public static string Worked(Sum s) => s.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Reward(Accuracy = true)]
    public static float Correct(int answer, Completion c) => c.TryParseInt(out var v) && v == answer ? 1f : 0f;

    [Reward(Weight = 0.1)]
    public static float Stopped(Completion c) => c.Finished ? 1f : 0f;

    private static IEnumerable<Sum> Sums(Random rng, int digits)
    {
        int high = digits == 1 ? 10 : 100;
        while (true) yield return new Sum(rng.Next(high), rng.Next(high), digits);
    }
}
