namespace Rft.Hosting.Tests;

/// <summary>How a test asks a run to stop.</summary>
public enum StopBy
{
    /// <summary>IHostApplicationLifetime.StopApplication, which is what Ctrl+C and SIGTERM do.</summary>
    ApplicationLifetime,

    /// <summary>The token passed to RftHost.RunAsync.</summary>
    HostToken,
}
