namespace Rft.Generators.Specs;

/// <summary>The advantage estimator attribute a pipeline declares (GRPO when none).</summary>
internal enum AdvantageEstimatorKind
{
    /// <summary>[Grpo]: group mean and std (Dr.GRPO without the std).</summary>
    Grpo,

    /// <summary>[Rloo]: leave-one-out group baseline.</summary>
    Rloo,

    /// <summary>[ReinforcePlusPlus]: discounted return (or group baseline), batch-whitened.</summary>
    ReinforcePlusPlus,

    /// <summary>[Gae]: generalised advantage estimation from the value head.</summary>
    Gae,
}
