using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Checks on what a user's [LossTerm] method returns.</summary>
public static class LossTerms
{
    /// <summary>The term itself when it is a scalar (a tensor of one element).</summary>
    /// <exception cref="InvalidOperationException">Otherwise, naming the term and the shape it returned.</exception>
    public static Tensor Scalar(Tensor term, string name)
    {
        ArgumentNullException.ThrowIfNull(term);
        if (term.numel() != 1)
            throw new InvalidOperationException($"[LossTerm] '{name}' returned a tensor of shape [{string.Join(", ", term.shape)}]: a loss term returns a scalar (aggregate it, e.g. with .mean()).");
        return term.dim() == 0 ? term : term.reshape(Array.Empty<long>());
    }
}
