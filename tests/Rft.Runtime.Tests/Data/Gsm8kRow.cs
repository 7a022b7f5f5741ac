namespace Rft.Runtime.Tests.Data;

/// <summary>A row of GSM8K as the files hold it: the answer is worked text ending in <c>#### n</c>.</summary>
public sealed record Gsm8kRow(string Question, string Answer);
