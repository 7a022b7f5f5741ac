using System.Globalization;
using Rft;

namespace MyPipeline._1;

/// <summary>
/// Learns to add two numbers below 100: a supervised warm-up on worked answers until greedy
/// accuracy reaches 0.5, then GRPO on an exact-match reward. <c>dotnet run</c> trains; every
/// attribute value is a default that appsettings.json, environment variables (<c>Rft__Steps=50</c>)
/// or the command line (<c>dotnet run -- --Rft:Steps=50</c>) override.
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[SftWarmup(MaxSteps = 2000, BatchSize = 128, LearningRate = 1e-3, TargetAccuracy = 0.5, EvalEvery = 20)]
[Grpo(GroupSize = 8, PromptsPerStep = 8, ClipLow = 0.2, ClipHigh = 0.28)]
[Training(Steps = 200, LearningRate = 1e-4, Seed = 1234, LogEvery = 20, EvalEvery = 100)]
[Rollout(MaxNewTokens = 4, MaxPromptTokens = 8, Temperature = 1.0)]
public partial class MyPipeline__1
{
    // The training data: an endless seeded stream of problems.
    [Source]
    public static IEnumerable<Problem> Sums(Random rng)
    {
        while (true) yield return Sum(rng);
    }

    // Held-out problems for the greedy evaluations, from their own seeded generator.
    [EvalSource(Count = 200)]
    public static IEnumerable<Problem> HeldOut(Random rng)
    {
        while (true) yield return Sum(rng);
    }

    // What the policy sees.
    [Prompt] public static string Render(Problem p) => $"{p.Question}=";

    // What the warm-up imitates.
    [Demonstration] public static string Worked(Problem p) => p.Answer.ToString(CultureInfo.InvariantCulture);

    // Rewards: parameters bind to the record's members by name ("answer" is Problem.Answer).
    [Reward(Weight = 1.0, Accuracy = true)]
    public static float Correct(int answer, Completion c) => c.TryParseInt(out var value) && value == answer ? 1f : 0f;

    [Reward(Weight = 0.1)]
    public static float Stopped(Completion c) => c.Finished ? 1f : 0f;

    private static Problem Sum(Random rng)
    {
        int a = rng.Next(100), b = rng.Next(100);
        return new Problem($"{a}+{b}", a + b);
    }
}
