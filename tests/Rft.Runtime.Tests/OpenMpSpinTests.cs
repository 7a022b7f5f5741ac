using System.Runtime.InteropServices;

namespace Rft.Runtime.Tests;

public sealed class OpenMpSpinTests
{
    [Fact]
    public void Loading_libtorch_asks_libgomp_for_a_short_spin_unless_the_user_chose_one()
    {
        RftRuntime.EnsureNativeLibrary();
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { } chosen)
        {
            Assert.Equal(chosen, Marshal.PtrToStringUTF8(GetEnvironment("GOMP_SPINCOUNT")));   // left as the user set it
            return;
        }

        var native = Marshal.PtrToStringUTF8(GetEnvironment("GOMP_SPINCOUNT"));
        Assert.Equal(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null ? RftRuntime.OpenMpSpinCount : null, native);
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project does not allow
    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
#pragma warning restore SYSLIB1054
}
