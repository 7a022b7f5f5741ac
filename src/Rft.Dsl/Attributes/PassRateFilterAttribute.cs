namespace Rft;

/// <summary>
/// Skips problems that carry no learning signal: once a problem has been tried <see cref="MinAttempts"/> times,
/// it is kept only while its pass rate over the last <see cref="Window"/> attempts is strictly between 0 and 1.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PassRateFilterAttribute : Attribute
{
    /// <summary>The record field that identifies a problem (its values are compared as strings).</summary>
    public string? Key { get; set; }

    /// <summary>Attempts remembered per problem.</summary>
    public int Window { get; set; } = 4;

    /// <summary>Attempts before a problem can be skipped.</summary>
    public int MinAttempts { get; set; } = 2;

    /// <summary>Problems skipped in a row before one is taken anyway (and counted).</summary>
    public int MaxSkipsPerDraw { get; set; } = 64;
}
