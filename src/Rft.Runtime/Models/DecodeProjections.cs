namespace Rft.Models;

/// <summary>
/// A decoder layer's q, k and v projections stacked for decoding (native handles, valid for one rollout): one
/// [(heads + 2 kvHeads) headDim, hidden] matrix and bias, so a token takes one matrix product where it took three, and
/// q and k are rotated together. Zero where the layer cannot stack them (a LoRA adapter adds its own product per
/// projection).
/// </summary>
internal readonly record struct DecodeProjections(IntPtr QkvWeight, IntPtr QkvBias);
