namespace Rft;

/// <summary>Renders a record into the text the policy sees: <c>static string Name(TRecord r)</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PromptAttribute : Attribute
{
}
