namespace Rft.Training;

/// <summary>A checkpoint folder of a run, with its manifest when it verified, or what is wrong with it.</summary>
/// <param name="Position">From the manifest when it is readable, else from the folder's name; null when neither tells.</param>
public sealed record CheckpointCandidate(string Directory, CheckpointPosition? Position, CheckpointManifest? Manifest, InvalidCheckpointException? Problem)
{
    /// <summary>The folder is complete and every file matches the manifest.</summary>
    public bool IsValid => Manifest is not null && Problem is null;
}
