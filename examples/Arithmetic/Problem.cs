namespace Arithmetic;

/// <summary>One arithmetic problem: the question the policy sees, its answer and its difficulty.</summary>
public sealed record Problem(string Question, int Answer, int Digits);
