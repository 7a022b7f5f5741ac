using static TorchSharp.torch;

namespace Rft.Algorithms.Peers;

/// <summary>The advantages TRL's GRPOTrainer computes, and what it logs about them.</summary>
/// <param name="Advantages">[N] advantages, NaN replaced by 0.</param>
/// <param name="Rewards">[N] combined rewards (NaN for a completion every reward function left unscored).</param>
/// <param name="StdRewards">[N] the std each advantage was (or, for "none", would have been) divided by.</param>
/// <param name="IsStdZero">[N] bool: the std is 0 (torch.isclose with its default tolerances).</param>
public sealed record TrlGrpoAdvantages(Tensor Advantages, Tensor Rewards, Tensor StdRewards, Tensor IsStdZero);
