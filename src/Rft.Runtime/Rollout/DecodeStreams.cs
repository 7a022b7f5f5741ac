using System.Runtime.ExceptionServices;
using Rft.Native;
using static TorchSharp.torch;

namespace Rft.Rollout;

/// <summary>
/// A rollout's decoding loop run as several streams of rows at once, one thread each, in lock step (see
/// <see cref="Sampler"/>). A small model's token costs a few hundred tensor operations too small to split across cores,
/// so one thread does them one after another whatever the thread count; rows split into streams keep every core busy
/// instead. Each stream samples its own rows token after token and ends each token at a barrier. The last stream to
/// arrive decides, once for all, whether decoding goes on (some row of some stream is still running and the longest
/// completion is not reached) and then makes the next token's random draws for every row, in the order one stream would
/// make them: the tokens do not depend on which thread finishes first.
/// </summary>
/// <remarks>
/// Stream 0 runs on the calling thread; the others on threads made once and kept until <see cref="Dispose"/>, waiting
/// between rollouts, each in inference mode with one intra-op thread (libtorch's and the matrix library's thread settings
/// are per thread), so that two streams never compete for the same cores. The barrier spins (yielding now and then, never
/// sleeping): a token takes about a millisecond and the streams reach its end within a tenth of that of each other, and
/// with blocking waits (<see cref="Barrier"/>) the two streams of the speed bench's tiny shape were no faster than one
/// on this project's virtual machine. A stream that fails keeps meeting the barrier as a finished stream until
/// the others stop at the end of the token; <see cref="Run"/> rethrows the failure. Nothing is allocated per rollout.
/// </remarks>
internal sealed class DecodeStreams : IDisposable
{
    private readonly Action<int, NativeFrame> _stream;
    private readonly Action _next;
    private readonly NativeFrame _first;
    private readonly Worker[] _workers;
    private readonly bool[] _done;
    private Exception? _error;
    private bool _last;
    private volatile bool _stop;
    private volatile bool _disposed;
    private int _arrived;          // streams at the barrier in this token
    private int _phase;            // tokens ended (read and written with Volatile); a stream at the barrier waits for it to move
    private int _running;          // worker streams not yet ended in this rollout

    /// <param name="count">Streams, at least 2.</param>
    /// <param name="first">Stream 0's frame (the caller's).</param>
    /// <param name="stream">Runs stream i's loop with its frame; it calls <see cref="EndStep"/> once per token.</param>
    /// <param name="next">Makes the next token's draws, once per token that is followed by another.</param>
    public DecodeStreams(int count, NativeFrame first, Action<int, NativeFrame> stream, Action next)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        _stream = stream;
        _next = next;
        _first = first;
        _done = new bool[count];
        _workers = new Worker[count - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            var worker = new Worker(i + 1);
            _workers[i] = worker;
            worker.Thread = new Thread(Work) { IsBackground = true, Name = $"Rft decode stream {i + 1}" };
            worker.Thread.Start(worker);
        }
    }

    public int Count => _done.Length;

    /// <summary>Runs every stream and returns when all have ended; rethrows the first failure.</summary>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _error = null;
        _stop = false;
        _arrived = 0;
        Volatile.Write(ref _running, _workers.Length);
        foreach (var worker in _workers) worker.Start.Release();
        Stream(0, _first);
        Await(ref _running, 0, untilEqual: true);
        if (_error is { } error) ExceptionDispatchInfo.Capture(error).Throw();
    }

    /// <summary>
    /// Ends stream <paramref name="stream"/>'s token: waits for every stream, then returns whether decoding stops.
    /// </summary>
    /// <param name="last">Whether this token was the longest completion's last (the same in every stream).</param>
    /// <param name="done">Whether every row of this stream has finished.</param>
    public bool EndStep(int stream, bool last, bool done)
    {
        _done[stream] = done;
        if (last) _last = true;
        int phase = Volatile.Read(ref _phase);
        if (Interlocked.Increment(ref _arrived) == _done.Length)
        {
            // The last to arrive: every other stream is waiting for the phase to move.
            _arrived = 0;
            try
            {
                EndPhase();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
                _stop = true;
            }
            finally
            {
                _last = false;
                Volatile.Write(ref _phase, phase + 1);
            }
        }
        else
        {
            Await(ref _phase, phase, untilEqual: false);
        }

        return _stop;
    }

    // Spins until value equals target (untilEqual) or differs from it, checking every few hundred nanoseconds (SpinWait's
    // exponential back-off would see the change tens of microseconds late), yielding now and then in case another thread
    // needs this core.
    private static void Await(ref int value, int target, bool untilEqual)
    {
        for (int spins = 1; (Volatile.Read(ref value) == target) != untilEqual; spins++)
        {
            if ((spins & 1023) == 0) Thread.Yield();
            else Thread.SpinWait(10);
        }
    }

    private void EndPhase()
    {
        bool all = true;
        foreach (bool done in _done) all &= done;
        _stop = _last || all || Volatile.Read(ref _error) is not null;
        if (!_stop) _next();
    }

    private void Stream(int index, NativeFrame frame)
    {
        try
        {
            _stream(index, frame);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
            // Unless the streams already stopped, meet the barrier until they do (the next token, as the error is set).
            if (!_stop)
            {
                while (!EndStep(index, last: false, done: true))
                {
                }
            }
        }
    }

    private void Work(object? state)
    {
        var worker = (Worker)state!;
        using var inference = inference_mode();
        set_num_threads(1);
        while (true)
        {
            worker.Start.Wait();
            if (_disposed) return;
            Stream(worker.Index, worker.Frame);
            Interlocked.Decrement(ref _running);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var worker in _workers) worker.Start.Release();
        foreach (var worker in _workers)
        {
            worker.Thread!.Join();
            worker.Frame.Dispose();
            worker.Start.Dispose();
        }
    }

    private sealed class Worker(int index)
    {
        public int Index { get; } = index;
        public NativeFrame Frame { get; } = new();
        public SemaphoreSlim Start { get; } = new(0);
        public Thread? Thread { get; set; }
    }
}
