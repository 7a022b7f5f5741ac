namespace Rft.Generators.Specs;

/// <summary>What one reward parameter receives.</summary>
/// <param name="Member">The record's property or field, as declared, when <see cref="Kind"/> is <see cref="RewardArgumentKind.RecordMember"/>.</param>
internal sealed record RewardArgumentSpec(RewardArgumentKind Kind, string Member)
{
    public static RewardArgumentSpec Completion { get; } = new(RewardArgumentKind.Completion, string.Empty);

    public static RewardArgumentSpec Record { get; } = new(RewardArgumentKind.Record, string.Empty);

    public static RewardArgumentSpec Cancellation { get; } = new(RewardArgumentKind.CancellationToken, string.Empty);

    /// <summary>A parameter that could not be bound (a diagnostic says why).</summary>
    public static RewardArgumentSpec Unbound { get; } = new(RewardArgumentKind.Unbound, string.Empty);

    public static RewardArgumentSpec Of(string member) => new(RewardArgumentKind.RecordMember, member);
}
