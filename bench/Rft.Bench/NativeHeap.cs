using System.Runtime.InteropServices;

namespace Rft.Bench;

/// <summary>glibc's malloc statistics (<c>mallinfo2</c>): where a resident set's native part goes. Zeros off glibc.</summary>
internal static class NativeHeap
{
    public readonly record struct Usage(long InUse, long Free);

    public static Usage Read()
    {
        if (!OperatingSystem.IsLinux()) return default;
        try
        {
            var info = mallinfo2();
            // uordblks: bytes allocated from the arenas; hblkhd: bytes in mmapped blocks; fordblks: free bytes kept in the arenas.
            return new Usage((long)(info.Uordblks + info.Hblkhd), (long)info.Fordblks);
        }
        catch (EntryPointNotFoundException)
        {
            return default;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc")]
    private static extern MallInfo2 mallinfo2();
}
