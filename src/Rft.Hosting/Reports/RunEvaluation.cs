namespace Rft.Hosting.Reports;

/// <summary>A final evaluation line of metrics.jsonl (<c>"phase":"eval"</c>).</summary>
internal sealed record RunEvaluation(string Name, double Accuracy, int Correct, int Problems);
