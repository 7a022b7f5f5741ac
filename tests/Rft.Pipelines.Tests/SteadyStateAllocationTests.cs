using Microsoft.Extensions.Options;
using Rft.Pipelines.Tests.Pipelines;

namespace Rft.Pipelines.Tests;

/// <summary>
/// A steady-state RL step allocates a constant number of managed bytes: not more for longer rollouts, nor for more
/// completions. (The bytes themselves depend on TorchSharp's per-operation wrappers; bench/Rft.Bench reports them.)
/// </summary>
public class SteadyStateAllocationTests
{
    [Fact]
    public async Task Managed_bytes_per_step_do_not_grow_with_generated_tokens_or_completions()
    {
        var small = await BytesPerStep(newTokens: 4, prompts: 1);
        var longer = await BytesPerStep(newTokens: 24, prompts: 1);
        var wider = await BytesPerStep(newTokens: 4, prompts: 4);

        // The longer rollouts really are six times as long (the stop token is one id in about a hundred).
        Assert.True(longer.Tokens >= 5 * small.Tokens, $"tokens per step: {small.Tokens} vs {longer.Tokens}");
        Assert.True(wider.Tokens >= 3.5 * small.Tokens, $"tokens per step: {small.Tokens} vs {wider.Tokens}");
        // Before the decoding loop ran on native handles, every token of a rollout added tens of kilobytes.
        Assert.True(longer.Bytes <= small.Bytes * 1.05, $"{longer.Bytes:N0} bytes per step at 24 new tokens vs {small.Bytes:N0} at 4");
        Assert.True(wider.Bytes <= small.Bytes * 1.05, $"{wider.Bytes:N0} bytes per step at 16 completions vs {small.Bytes:N0} at 4");
    }

    /// <summary>The median managed bytes this thread allocates per step after three warm-up steps, and the tokens generated per step.</summary>
    private static async Task<(double Bytes, double Tokens)> BytesPerStep(int newTokens, int prompts)
    {
        var options = new ScribbleEchoOptions { MaxNewTokens = newTokens, PromptsPerStep = prompts, Steps = 8 };
        using var trainer = new ScribbleEcho.Trainer(Options.Create(options));
        trainer.Setup();
        var bytes = new List<long>();
        long tokens = 0;
        await using var steps = trainer.TrainAsync(CancellationToken.None).GetAsyncEnumerator();
        for (int step = 1; ; step++)
        {
            // The step runs synchronously on this thread (its rewards are synchronous), so this thread's count is the step's.
            long before = GC.GetAllocatedBytesForCurrentThread();
            if (!await steps.MoveNextAsync()) break;
            long after = GC.GetAllocatedBytesForCurrentThread();
            if (step <= 3) continue;
            bytes.Add(after - before);
            tokens += steps.Current.RolloutTokens;
        }

        bytes.Sort();
        return (bytes[bytes.Count / 2], (double)tokens / bytes.Count);
    }
}
