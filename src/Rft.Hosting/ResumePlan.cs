using Rft.Training;

namespace Rft.Hosting;

/// <summary>What a resumed run continues: its directory, the checkpoint it continues from and what was found on the way.</summary>
/// <param name="Checkpoint">The newest checkpoint that verified.</param>
/// <param name="Damaged">Newer checkpoints that failed verification, newest first, each with its problem.</param>
/// <param name="Changes">Options that differ from those the run started with (harmless ones, or all with Rft:ResumeOverride).</param>
internal sealed record ResumePlan(string RunDirectory, CheckpointCandidate Checkpoint, IReadOnlyList<CheckpointCandidate> Damaged, IReadOnlyList<OptionChange> Changes)
{
    public CheckpointManifest Manifest => Checkpoint.Manifest!;

    public CheckpointPosition Position => Manifest.Position;
}
