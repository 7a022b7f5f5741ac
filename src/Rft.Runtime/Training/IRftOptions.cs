namespace Rft.Training;

/// <summary>
/// What the host needs from a pipeline's generated options class. The generated class binds from the
/// configuration section <c>Rft</c>, so every option can be set in appsettings.json, as an environment
/// variable (<c>Rft__Steps=500</c>) or on the command line (<c>--Rft:Steps=500</c>).
/// </summary>
public interface IRftOptions
{
    /// <summary>Seed of every random choice of the run.</summary>
    int Seed { get; }

    /// <summary>Folder under which each run gets its own directory.</summary>
    string RunDirectory { get; }

    /// <summary>Print a progress line every this many steps.</summary>
    int LogEvery { get; }

    /// <summary>Write a resumable checkpoint every this many steps of each phase (under <c>checkpoints/</c>); 0 only at the end of the run.</summary>
    int CheckpointEvery => 0;

    /// <summary>How many periodic checkpoints to keep, the newest ones (at least 1).</summary>
    int KeepCheckpoints => 3;

    /// <summary>
    /// Continue a run instead of starting one: <c>latest</c> (the newest run directory of this pipeline under
    /// <see cref="RunDirectory"/>) or a run directory's path. Null or empty starts a new run.
    /// </summary>
    string? Resume => null;

    /// <summary>Resume even when options that change the run's math differ from those the run started with.</summary>
    bool ResumeOverride => false;

    /// <summary>Also write the step metrics as TensorBoard event files in the run directory (<c>Rft:TensorBoard=true</c>).</summary>
    bool TensorBoard => false;

    /// <summary>
    /// Checks every option and returns one message per problem, each naming the option
    /// (<c>Rft:GroupSize</c>), its value and what would be valid. Empty when all is well.
    /// </summary>
    IReadOnlyList<string> Validate();
}
