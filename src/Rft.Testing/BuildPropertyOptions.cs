using Microsoft.CodeAnalysis.Diagnostics;

namespace Rft.Testing;

/// <summary>MSBuild properties as the compiler hands them to generators (<c>build_property.*</c>).</summary>
internal sealed class BuildPropertyOptions(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
{
    public static BuildPropertyOptions Empty { get; } = new(new Dictionary<string, string>());

    public override bool TryGetValue(string key, out string value)
    {
        if (values.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = string.Empty;
        return false;
    }
}
