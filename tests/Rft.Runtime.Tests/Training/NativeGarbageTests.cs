using Rft.Training;

namespace Rft.Runtime.Tests.Training;

public class NativeGarbageTests
{
    [Fact]
    public void Every_thirty_second_step_ends_with_a_generation_0_collection()
    {
        Assert.True(NativeGarbage.Enabled);
        int before = GC.CollectionCount(0);
        NativeGarbage.AfterStep(NativeGarbage.Interval * 3);
        Assert.True(GC.CollectionCount(0) > before, "a collection at a multiple of the interval");
    }
}
