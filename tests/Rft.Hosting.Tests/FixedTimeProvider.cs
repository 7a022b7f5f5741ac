namespace Rft.Hosting.Tests;

/// <summary>A clock stopped at one instant, in UTC, so run-directory names are known in advance.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
