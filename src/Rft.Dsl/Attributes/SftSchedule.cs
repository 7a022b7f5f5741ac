namespace Rft;

/// <summary>How the weight of an <see cref="SftTermAttribute"/> changes over the RL steps.</summary>
public enum SftSchedule
{
    /// <summary>Always <c>Weight</c>; the loss is <c>RL + Weight * SFT</c>.</summary>
    Constant,

    /// <summary>From <c>Weight</c> to <c>EndWeight</c> linearly over <c>DecaySteps</c>; added to the RL loss.</summary>
    Linear,

    /// <summary>From <c>Weight</c> to <c>EndWeight</c> on a half cosine over <c>DecaySteps</c>; added to the RL loss.</summary>
    Cosine,

    /// <summary>
    /// CHORD (Zhang et al. 2025, arXiv:2508.11408): <c>loss = (1 - mu) RL + mu SFT</c>, with mu rising linearly
    /// from 0 to <c>Weight</c> over <c>WarmupSteps</c>, then decaying on a half cosine to <c>EndWeight</c> over
    /// <c>DecaySteps</c> (Trinity-RFT's <c>mu_schedule_function</c>).
    /// </summary>
    Chord,
}
