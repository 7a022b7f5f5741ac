using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>The per-token PPO clipped surrogate and which tokens the clip was active on.</summary>
/// <param name="Loss">[N, T] per-token loss, to be aggregated under the completion mask.</param>
/// <param name="Clipped">[N, T] bool, true where the clipped branch was taken.</param>
public sealed record ClippedSurrogate(Tensor Loss, Tensor Clipped);
