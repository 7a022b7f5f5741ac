using Rft.Training;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

public class UpdateBatchTests
{
    // Three rows, prompts left-padded to 4 and completions right-padded to 5:
    //   row 0: prompt of 4, completion of 2     row 1: prompt of 2, completion of 5     row 2: prompt of 1, completion of 1
    private static UpdateBatch Batch()
    {
        var attention = tensor(new[]
        {
            true, true, true, true, true, true, false, false, false,
            false, false, true, true, true, true, true, true, true,
            false, false, false, true, true, false, false, false, false,
        }, [3, 9]);
        var sequences = arange(27, ScalarType.Int64).view(3, 9);
        var positions = arange(9, ScalarType.Int64).unsqueeze(0).expand(3, 9).contiguous();
        var completion = attention.narrow(1, 4, 5).to_type(ScalarType.Float32);
        var values = arange(15, ScalarType.Float32).view(3, 5);
        return new UpdateBatch(new SequenceRows(sequences, attention, positions, PromptLength: 4, CompletionLength: 5), completion, values + 100, values)
        {
            RefLogProbs = values - 100,
            Scores = tensor(new[] { 1f, 2f, 3f }),
        };
    }

    [Fact]
    public void A_micro_batch_drops_the_columns_that_are_padding_in_all_its_rows()
    {
        using var scope = NewDisposeScope();
        var batch = Batch();

        // Rows 2 and 0: the longest prompt is 4 (nothing to drop), the longest completion 2 of 5.
        var short0 = batch.Select(tensor(new long[] { 2, 0 }));
        Assert.Equal((4, 2), (short0.Rows.PromptLength, short0.Rows.CompletionLength));
        Assert.Equal(new long[] { 2, 6 }, short0.Rows.Sequences.shape);
        Assert.Equal(new[] { 18L, 19, 20, 21, 22, 23 }, short0.Rows.Sequences[0].data<long>().ToArray());
        Assert.Equal(new[] { 110f, 111 }, short0.Advantages[0].data<float>().ToArray());
        Assert.Equal(new[] { -100f, -99 }, short0.RefLogProbs![1].data<float>().ToArray());
        Assert.Equal(new[] { 3f, 1f }, short0.Scores!.data<float>().ToArray());

        // Rows 1 and 2: prompts of at most 2 (two leading columns dropped), completions up to 5 (all kept).
        var long1 = batch.Select(tensor(new long[] { 1, 2 }));
        Assert.Equal((2, 5), (long1.Rows.PromptLength, long1.Rows.CompletionLength));
        Assert.Equal(new[] { 11L, 12, 13, 14, 15, 16, 17 }, long1.Rows.Sequences[0].data<long>().ToArray());
        Assert.Equal(new[] { 2L, 3, 4, 5, 6, 7, 8 }, long1.Rows.PositionIds[0].data<long>().ToArray());
        Assert.Equal(new[] { false, true, true, false, false, false, false }, long1.Rows.AttentionMask[1].data<bool>().ToArray());
        Assert.Equal(new[] { 5f, 6, 7, 8, 9 }, long1.OldLogProbs![0].data<float>().ToArray());
    }
}
