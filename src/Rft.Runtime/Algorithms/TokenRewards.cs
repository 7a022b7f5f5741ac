using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>Token-level rewards from one score per completion, as verl lays them out.</summary>
public static class TokenRewards
{
    /// <summary>
    /// [N, T] zeros with each row's score on its last completion token (verl's <c>token_level_scores</c>), so that
    /// the outcome estimators' row sums give the score back. A row with an empty mask keeps all zeros.
    /// </summary>
    /// <param name="scores">[N] one score per completion.</param>
    /// <param name="mask">[N, T] completion mask.</param>
    public static Tensor AtLastToken(Tensor scores, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var lengths = mask.gt(0).to_type(ScalarType.Int64).sum(-1);                  // [N]
        var last = (lengths - 1).clamp_min(0).unsqueeze(1);                          // [N, 1]
        var placed = zeros_like(mask).scatter(1, last, scores.to_type(mask.dtype).unsqueeze(1));
        var nonEmpty = lengths.gt(0).to_type(mask.dtype).unsqueeze(1);
        return (placed * nonEmpty).MoveToOuterDisposeScope();
    }
}
