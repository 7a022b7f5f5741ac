namespace Rft.Hosting.Reports;

/// <summary>One line of samples.jsonl.</summary>
internal sealed record SampleLine(string Prompt, string Completion, bool Correct, double? Reward, IReadOnlyList<KeyValuePair<string, double?>> Rewards);
