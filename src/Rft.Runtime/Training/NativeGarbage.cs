namespace Rft.Training;

/// <summary>
/// A generation-0 collection every <see cref="Interval"/> training steps. TorchSharp frees some native objects only in
/// finalizers, which run after a collection: the <c>Scalar</c> made for every number passed to a tensor operation (the
/// loss and the metrics pass dozens a step), and any tensor a user's code leaves undisposed. The trainer's steps
/// allocate so little on the managed heap (about 38 KB for llama2.c's 260K model) that the collector's own schedule
/// comes every few hundred steps; meanwhile those objects pile up between live tensors in the native heap, which then
/// fragments, and the resident set grows by tens of megabytes before it levels off. A gen-0 collection of so small a heap
/// takes well under a millisecond (<c>dotnet run -c Release --project bench/Rft.Bench -- alloc --long 1000</c> prints the
/// resident set with and without it).
/// </summary>
public static class NativeGarbage
{
    /// <summary>Steps between collections.</summary>
    public const int Interval = 32;

    /// <summary>Whether <see cref="AfterStep"/> collects; the allocation bench turns it off to show the difference.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Called by the generated training loops at the end of step <paramref name="step"/> (1-based).</summary>
    public static void AfterStep(int step)
    {
        if (Enabled && step % Interval == 0) GC.Collect(0);
    }
}
