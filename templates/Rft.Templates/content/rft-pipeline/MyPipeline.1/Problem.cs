namespace MyPipeline._1;

/// <summary>One training record: the question the policy sees and its answer.</summary>
public sealed record Problem(string Question, int Answer);
