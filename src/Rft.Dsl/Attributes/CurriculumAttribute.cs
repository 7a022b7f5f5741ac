namespace Rft;

/// <summary>
/// Chooses what each RL step trains on, driven by the learning signal. <see cref="Key"/> names a field of the
/// record (an integer, enum or bool) whose values are the stages or categories. The curriculum's state is part
/// of every checkpoint.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CurriculumAttribute : Attribute
{
    public CurriculumAttribute(CurriculumKind kind) => Kind = kind;

    public CurriculumKind Kind { get; }

    /// <summary>The record field whose values are the stages (Staged) or arms (SelfEvolving).</summary>
    public string? Key { get; set; }

    /// <summary>Staged: accuracy on the current stage that moves training to the next stage.</summary>
    public double Threshold { get; set; } = 0.8;

    /// <summary>Staged: how many recent problems of the current stage the accuracy is measured over.</summary>
    public int Window { get; set; } = 64;

    /// <summary>SelfEvolving: learning rate of the TD(0) update of each arm's value.</summary>
    public double Alpha { get; set; } = 0.5;

    /// <summary>SelfEvolving: Boltzmann temperature over the arms' values.</summary>
    public double Temperature { get; set; } = 0.2;
}
