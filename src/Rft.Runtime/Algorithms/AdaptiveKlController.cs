namespace Rft.Algorithms;

/// <summary>
/// verl's <c>AdaptiveKLController</c> (Ziegler et al. 2019, arXiv:1909.08593): the KL coefficient is
/// multiplied by <c>1 + clip(kl / target - 1, -0.2, 0.2) * n_steps / horizon</c> after each update.
/// </summary>
public sealed class AdaptiveKlController
{
    /// <param name="initialCoefficient">verl <c>kl_coef</c>.</param>
    /// <param name="targetKl">verl <c>target_kl</c>.</param>
    /// <param name="horizon">verl <c>horizon</c>; must be positive, as verl asserts.</param>
    public AdaptiveKlController(double initialCoefficient, double targetKl, double horizon)
    {
        if (horizon <= 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon must be larger than 0 (verl get_kl_controller).");
        Value = initialCoefficient;
        Target = targetKl;
        Horizon = horizon;
    }

    /// <summary>The current coefficient.</summary>
    public double Value { get; private set; }

    /// <summary>The KL the controller steers towards.</summary>
    public double Target { get; }

    /// <summary>Steps over which a 20% relative error changes the coefficient by 20%.</summary>
    public double Horizon { get; }

    /// <summary>verl <c>update(current_kl, n_steps)</c>.</summary>
    public void Update(double currentKl, long steps)
    {
        double error = Math.Clamp(currentKl / Target - 1.0, -0.2, 0.2);
        Value *= 1.0 + error * steps / Horizon;
    }
}
