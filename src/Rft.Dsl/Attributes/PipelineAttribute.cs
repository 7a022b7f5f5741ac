namespace Rft;

/// <summary>
/// Marks a <c>partial</c> class as an RFT pipeline: the Rft generator compiles its attributes and
/// annotated methods into an options class, a trainer and a host.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PipelineAttribute : Attribute
{
}
