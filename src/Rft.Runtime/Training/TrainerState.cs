namespace Rft.Training;

/// <summary>Where a run stands, saved with each checkpoint.</summary>
public sealed record TrainerState(string Pipeline, int Seed, int SftSteps, int RlSteps);
