namespace Rft.Training;

/// <summary>One file of a checkpoint as its manifest lists it.</summary>
/// <param name="Path">Relative to the checkpoint folder, with <c>/</c> separators.</param>
/// <param name="Sha256">Lowercase hexadecimal.</param>
public sealed record CheckpointFileEntry(string Path, long Bytes, string Sha256);
