namespace Rft;

/// <summary>
/// A value head (a linear layer from the policy's last hidden state to one number) trained with verl's
/// clipped value loss, <c>Coefficient * 0.5 * max((v - R)², (clip(v) - R)²)</c>. <see cref="GaeAttribute"/>
/// needs it; without a value head no value is ever computed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ValueHeadAttribute : Attribute
{
    /// <summary>Weight of the value loss in the total loss.</summary>
    public double Coefficient { get; set; } = 0.5;

    /// <summary>Value predictions are clipped to the rollout's values plus or minus this.</summary>
    public double ClipRange { get; set; } = 0.2;

    /// <summary>The value head's own AdamW learning rate (it starts untrained).</summary>
    public double LearningRate { get; set; } = 1e-3;
}
