using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

public sealed class MiniBatchScheduleTests
{
    [Fact]
    public void A_mini_batch_has_the_shuffles_rows_in_rollout_order()
    {
        using var schedule = new MiniBatchSchedule(40, CPU, seed: 3);
        schedule.Shuffle(32);
        var shuffled = schedule.HostIndex(0, 32).ToArray();
        Assert.NotEqual(Enumerable.Range(0, 32), shuffled);                       // the shuffle moved rows

        for (int m = 0; m < 4; m++)
        {
            var (start, rows) = schedule.MiniBatch(m, 4);
            var members = schedule.HostIndex(start, rows).ToArray();
            Assert.Equal(shuffled.Skip(start).Take(rows).Order(), members);        // the same rows, sorted
            Assert.Equal(members.Select(r => (long)r), schedule.Index(start, rows).data<long>().ToArray());
        }

        // One mini-batch: the whole rollout in its order, so each prompt group's rows are consecutive in every micro-batch.
        var (first, count) = schedule.MiniBatch(0, 1);
        var all = schedule.HostIndex(first, count).ToArray();
        Assert.Equal(Enumerable.Range(0, 32), all);
    }

    [Fact]
    public void The_shuffle_does_not_depend_on_the_mini_batches_read_before()
    {
        using var a = new MiniBatchSchedule(16, CPU, seed: 5);
        using var b = new MiniBatchSchedule(16, CPU, seed: 5);
        a.Shuffle(16);
        b.Shuffle(16);
        a.MiniBatch(0, 2);
        a.MiniBatch(1, 2);
        a.Shuffle(16);
        b.Shuffle(16);
        Assert.Equal(b.HostIndex(0, 16).ToArray(), a.HostIndex(0, 16).ToArray());
    }
}
