namespace Rft.Hosting.Reports;

/// <summary>The arguments of the <c>report</c> verb.</summary>
/// <param name="Run">The run directory; null means the newest run under <c>Rft:RunDirectory</c>.</param>
/// <param name="Output">Where report.html goes; null means the run directory.</param>
internal sealed record ReportOptions(string? Run, string? Output);
