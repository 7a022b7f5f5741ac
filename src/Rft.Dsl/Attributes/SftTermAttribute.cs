namespace Rft;

/// <summary>
/// Mixes supervised cross-entropy on the step's own records' <see cref="DemonstrationAttribute"/> targets
/// into the RL loss (SFT and RL together; CHORD with <see cref="SftSchedule.Chord"/>). Needs a
/// [Demonstration] method.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SftTermAttribute : Attribute
{
    public SftTermAttribute(double weight) => Weight = weight;

    /// <summary>The SFT weight (CHORD: mu's peak); at least 0.</summary>
    public double Weight { get; }

    /// <summary>How the weight changes over the steps.</summary>
    public SftSchedule Schedule { get; set; } = SftSchedule.Constant;

    /// <summary>The weight reached at the end of the decay (CHORD: mu's valley).</summary>
    public double EndWeight { get; set; }

    /// <summary>CHORD: steps over which mu rises from 0 to <see cref="Weight"/>.</summary>
    public int WarmupSteps { get; set; }

    /// <summary>Steps of the decay; 0 decays over all the RL steps (after any warm-up).</summary>
    public int DecaySteps { get; set; }

    /// <summary>CHORD-phi: weight each demonstration token's loss by <c>p (1 - p)</c> of its probability.</summary>
    public bool TokenWeight { get; set; }
}
