namespace Rft.Runtime.Tests;

/// <summary>Managed bytes a piece of steady-state work allocates on the current thread.</summary>
public static class Allocations
{
    /// <summary>
    /// The least bytes any of <paramref name="windows"/> runs of <paramref name="window"/> allocated. The runtime itself
    /// allocates now and then on the thread that happens to trigger it (a type loaded or a method promoted to optimized code
    /// while the work runs), once; work that allocates per step does so in every window.
    /// </summary>
    public static long LeastOf(Action window, int windows = 3)
    {
        long least = long.MaxValue;
        for (int i = 0; i < windows; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            window();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
