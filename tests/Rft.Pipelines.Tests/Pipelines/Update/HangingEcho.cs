using Rft;

namespace Rft.Pipelines.Tests.Pipelines.Update;

/// <summary>
/// The echo task with rewards that hang: a synchronous one that blocks until cancelled when the digit is 7, and never
/// returns in time (it sleeps, ignoring its token) when the digit is 8; an asynchronous one that waits forever, until
/// cancelled, when the digit is 3. Every timeout is 0.2 s.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 2, PromptsPerStep = 6)]
[Training(Steps = 3, LearningRate = 1e-3, WarmupSteps = 0, Seed = 53, LogEvery = 1, CheckpointEvery = 0)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 4)]
public partial class HangingEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => UpdateTask.Digits(rng);

    [EvalSource(Count = 4)] public static IEnumerable<DigitTask> HeldOut(Random rng) => UpdateTask.Digits(rng);

    [Prompt] public static string Render(DigitTask task) => UpdateTask.Render(task);

    [Reward(Accuracy = true, TimeoutSeconds = 0.2)]
    public static float Echoed(int digit, Completion c, CancellationToken cancel)
    {
        if (digit == 7) cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(20));  // cooperative: returns once cancelled
        if (digit == 8) Thread.Sleep(1500);                                     // uncooperative: contained on its own thread
        return UpdateTask.Echoed(digit, c);
    }

    [Reward(Weight = 0.5, TimeoutSeconds = 0.2)]
    public static async ValueTask<float> Judged(int digit, Completion c, CancellationToken cancel)
    {
        if (digit == 3) await Task.Delay(Timeout.Infinite, cancel);
        return c.TokenCount / 3f;
    }
}
