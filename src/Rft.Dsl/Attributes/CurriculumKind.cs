namespace Rft;

/// <summary>How the next batch's problems are chosen from the mixture.</summary>
public enum CurriculumKind
{
    /// <summary>Plain draws from the mixture.</summary>
    Uniform,

    /// <summary>
    /// Curr-ReFT's staged difficulty: stages are the key's values in ascending order; training starts on the
    /// lowest and moves to the next when the recent accuracy on the current stage reaches <c>Threshold</c>.
    /// </summary>
    Staged,

    /// <summary>
    /// Self-Evolving Curriculum: the key's values are bandit arms, rewarded by the mean absolute advantage of
    /// their problems in a step (TD(0) update with rate <c>Alpha</c>), chosen by Boltzmann sampling at <c>Temperature</c>.
    /// </summary>
    SelfEvolving,
}
