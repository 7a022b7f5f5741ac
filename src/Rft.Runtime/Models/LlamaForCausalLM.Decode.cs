using Rft.Native;
using Rft.Rollout;

namespace Rft.Models;

public sealed partial class LlamaForCausalLM
{
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
    /// <returns>Logits [rows, 1, active vocabulary].</returns>
    internal IntPtr DecodeLogits(NativeFrame f, IntPtr inputIds, IntPtr positionIds, KvCache cache, int slot, long rows)
    {
        var weight = LmHeadWeight;
        var hidden = model.Decode(f, inputIds, positionIds, cache, slot, rows, (weight.device_type, weight.device_index), weight.dtype);
        var output = _activeVocabulary == Config.VocabSize ? weight.Handle : f.Narrow(weight.Handle, 0, 0, _activeVocabulary);
        return f.Linear(hidden, output, System.IntPtr.Zero);
    }
}
