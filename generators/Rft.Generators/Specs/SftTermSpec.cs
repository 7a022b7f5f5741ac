namespace Rft.Generators.Specs;

/// <summary>[SftTerm]: cross-entropy on the step's records' demonstrations, mixed into the loss.</summary>
/// <param name="Demonstration">The [Demonstration] method.</param>
/// <param name="Schedule">The <c>Rft.SftSchedule</c> member's name, or a number for an undefined value.</param>
internal sealed record SftTermSpec(
    string Demonstration,
    double Weight,
    string Schedule,
    double EndWeight,
    int WarmupSteps,
    int DecaySteps,
    bool TokenWeight)
{
    /// <summary>CHORD mixes <c>(1 - mu) RL + mu SFT</c>; the other schedules add <c>w SFT</c>.</summary>
    public bool IsChord => Schedule == "Chord";
}
