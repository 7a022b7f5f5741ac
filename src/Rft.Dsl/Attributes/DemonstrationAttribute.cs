namespace Rft;

/// <summary>
/// The target completion of a record, used by SFT: <c>static string Name(TRecord r)</c>.
/// Declaring it enables the SFT warm-up (see <see cref="SftWarmupAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DemonstrationAttribute : Attribute
{
}
