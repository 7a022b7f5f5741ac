using Rft.Native;
using Rft.Rollout;

namespace Rft.Models;

public sealed partial class LlamaForCausalLM
{
    /// <summary>The widest model whose projections <see cref="StackProjections"/> stacks.</summary>
    internal const int MaxStackedHiddenSize = 256;

    /// <summary>
    /// Stacks each layer's q, k and v projections for a rollout's decoding (<see cref="DecodeProjections"/>), in
    /// <paramref name="f"/>: copies of the current weights, made again for every rollout. Only for models of hidden size
    /// up to 256, where a token's products are small enough that the number of operations is what costs; there the tests
    /// hold the stacked product to the separate ones bit for bit (a matrix library may order a wider product's sums
    /// differently). Returns false, stacking nothing, for a wider model.
    /// </summary>
    internal bool StackProjections(NativeFrame f, Span<DecodeProjections> stacked)
    {
        if (Config.HiddenSize > MaxStackedHiddenSize) return false;
        model.StackProjections(f, stacked);
        return true;
    }

    /// <summary>Whether <see cref="DecodeLogits"/> serves this model; false under dynamic rotary scaling (use <see cref="ForwardCached"/>).</summary>
    internal bool CanDecode => model.CanDecode;

    /// <summary>
    /// <see cref="ForwardCached"/> for one new token per row, on native handles recorded in <paramref name="f"/>: the same
    /// operations in the same order, so the same logits bit for bit, without a managed <c>Tensor</c> (or anything else on
    /// the managed heap) per operation. This is what lets a rollout's decoding loop allocate nothing per token.
    /// </summary>
    /// <param name="inputIds">[rows, 1] long, the previous token of each row.</param>
    /// <param name="positionIds">[rows, 1] long.</param>
    /// <param name="slot">The cache slot of the new position; the caller has set the cache's attention mask there.</param>
    /// <param name="firstRow">The cache row of the first row: the rows are cache rows [firstRow, firstRow + rows).</param>
    /// <param name="stacked">Per layer, its stacked projections (<see cref="StackProjections"/>), or empty to project separately.</param>
    /// <returns>Logits [rows, 1, active vocabulary].</returns>
    internal IntPtr DecodeLogits(NativeFrame f, IntPtr inputIds, IntPtr positionIds, KvCache cache, int slot, long firstRow, long rows,
        ReadOnlySpan<DecodeProjections> stacked)
    {
        var weight = LmHeadWeight;
        var hidden = model.Decode(f, inputIds, positionIds, cache, slot, firstRow, rows, (weight.device_type, weight.device_index), weight.dtype, stacked);
        return f.Linear(hidden, OutputWeightHandle(f), System.IntPtr.Zero);
    }

    /// <summary><see cref="OutputWeight"/> on a native handle (recorded in <paramref name="f"/> when it is a view).</summary>
    internal IntPtr OutputWeightHandle(NativeFrame f)
    {
        var weight = LmHeadWeight;
        return _activeVocabulary == Config.VocabSize ? weight.Handle : f.Narrow(weight.Handle, 0, 0, _activeVocabulary);
    }

    /// <summary>Whether forwards of more than one position run on native handles where they can (default); false: the managed layers.</summary>
    internal bool NativeForward
    {
        get => model.NativeForward;
        set => model.NativeForward = value;
    }

    /// <summary>See <see cref="LlamaModel.SharePrompts"/>.</summary>
    internal bool SharePrompts
    {
        get => model.SharePrompts;
        set => model.SharePrompts = value;
    }

    /// <summary>See <see cref="LlamaModel.SharedPromptForwards"/>.</summary>
    internal int SharedPromptForwards => model.SharedPromptForwards;
}
