namespace Rft.Runtime.Tests.Data;

/// <summary>A record with required fields of two types, one optional value and one optional nullable reference.</summary>
public sealed record Problem(string Question, int Answer, int Digits = 1, string? Hint = null);
