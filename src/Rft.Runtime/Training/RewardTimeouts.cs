namespace Rft.Training;

/// <summary>
/// Calls a reward with a time limit. Each call runs on a thread of its own (not the thread pool, so stuck calls cannot
/// starve it) and is waited for at most the timeout; past it the call's cancellation token is cancelled and the call is
/// abandoned: its thread runs on until the reward returns, and its result is dropped. This is how a synchronous call that
/// never returns is contained — .NET cannot stop a thread, so the cost of a stuck call is one blocked thread, and once more
/// than <see cref="MaxAbandoned"/> calls are stuck at once the run stops with an error rather than leak threads forever.
/// </summary>
public static class RewardTimeouts
{
    /// <summary>Abandoned calls still running at once beyond which a timeout becomes an error that stops the run.</summary>
    public const int MaxAbandoned = 64;

    private static int _abandoned;

    /// <summary>Calls abandoned after their timeout that have not returned yet.</summary>
    public static int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>Calls the synchronous <paramref name="reward"/> with <paramref name="state"/>, waiting at most <paramref name="timeoutSeconds"/>.</summary>
    /// <exception cref="RewardTimeoutException">The call did not return in time.</exception>
    public static float Run<TState>(Func<TState, CancellationToken, float> reward, TState state, double timeoutSeconds, string name)
    {
        var cancellation = new CancellationTokenSource();
        var call = Task.Factory.StartNew(() => reward(state, cancellation.Token), cancellation.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (call.Wait(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            cancellation.Dispose();
            return call.Result;   // a reward that threw rethrows here, as a direct call would
        }

        throw Abandon(call, cancellation, timeoutSeconds, name);
    }

    /// <summary>Calls the asynchronous <paramref name="reward"/> with <paramref name="state"/>, waiting at most <paramref name="timeoutSeconds"/>.</summary>
    /// <exception cref="RewardTimeoutException">The call did not complete in time.</exception>
    public static async ValueTask<float> RunAsync<TState>(Func<TState, CancellationToken, ValueTask<float>> reward, TState state, double timeoutSeconds, string name)
    {
        var cancellation = new CancellationTokenSource();
        // On its own thread too: an async reward that blocks before its first await would otherwise block the trainer.
        var call = Task.Factory.StartNew(() => reward(state, cancellation.Token).AsTask(), cancellation.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        try
        {
            float value = await call.WaitAsync(TimeSpan.FromSeconds(timeoutSeconds)).ConfigureAwait(false);
            cancellation.Dispose();
            return value;
        }
        catch (TimeoutException)
        {
            throw Abandon(call, cancellation, timeoutSeconds, name);
        }
    }

    private static Exception Abandon(Task call, CancellationTokenSource cancellation, double timeoutSeconds, string name)
    {
        cancellation.Cancel();
        int stuck = Interlocked.Increment(ref _abandoned);
        _ = call.ContinueWith(_ =>
        {
            Interlocked.Decrement(ref _abandoned);
            cancellation.Dispose();
        }, TaskScheduler.Default);
        if (stuck > MaxAbandoned)
        {
            return new RewardsStuckException(
                $"Reward {name}: {stuck} calls past their timeout are still running (each holds a thread): the reward ignores its cancellation token " +
                "and never returns. Fix the reward (honour the CancellationToken parameter, bound its I/O) before training on.");
        }

        return new RewardTimeoutException($"Reward {name} did not return within {timeoutSeconds:G} s (Rft:{name}TimeoutSeconds): the sample is masked.");
    }
}
