using Arithmetic;

namespace Rft.CurriculumComparison;

/// <summary>
/// The baseline arm: every RL step draws its problems from the three equally weighted difficulty categories.
/// Identical to <see cref="ArithmeticSec"/> except for the curriculum.
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[SftWarmup(MaxSteps = 3000, BatchSize = 128, LearningRate = 1e-3, TargetAccuracy = 0.3, EvalEvery = 20)]
[Grpo(GroupSize = 16, PromptsPerStep = 8, ClipLow = 0.2, ClipHigh = 0.28)]
[Training(Steps = 500, LearningRate = 1e-4, MinLearningRateRatio = 0.5, WarmupSteps = 10, Seed = 1234, LogEvery = 50, EvalEvery = 50)]
[Rollout(MaxNewTokens = 6, MaxPromptTokens = 10, Temperature = 1.0)]
public partial class ArithmeticUniform
{
    [Source(Weight = 1)] public static IEnumerable<Problem> OneDigit(Random rng) => DigitTasks.Problems(rng, 1);

    [Source(Weight = 1)] public static IEnumerable<Problem> TwoDigits(Random rng) => DigitTasks.Problems(rng, 2);

    [Source(Weight = 1)] public static IEnumerable<Problem> ThreeDigits(Random rng) => DigitTasks.Problems(rng, 3);

    [EvalSource(Count = 600)] public static IEnumerable<Problem> HeldOut(Random rng) => DigitTasks.HeldOut(rng);

    [Prompt] public static string Render(Problem p) => SharedTask.Render(p);

    [Demonstration] public static string Worked(Problem p) => SharedTask.Worked(p);

    [Reward(Weight = 1.0, Accuracy = true)]
    public static float Correct(int answer, int digits, Completion c) => SharedTask.Correct(answer, digits, c);

    [Reward(Weight = 0.1)] public static float Stopped(Completion c) => SharedTask.Stopped(c);
}
