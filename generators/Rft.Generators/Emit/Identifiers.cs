using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace Rft.Generators.Emit;

/// <summary>Names the emitter derives from user identifiers.</summary>
internal static class Identifiers
{
    /// <summary>The identifier as C# source: keywords get an <c>@</c>.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A valid C# identifier that is not a keyword (so it can name an option property).</summary>
    public static bool IsValid(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None;

    /// <summary><c>Correct</c> to <c>correct</c>.</summary>
    public static string Camel(string name) =>
        name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

    /// <summary>
    /// <paramref name="preferred"/> unless it is taken (or a keyword), then with <paramref name="suffix"/>,
    /// then numbered; the chosen name is added to <paramref name="taken"/>.
    /// </summary>
    public static string Unique(string preferred, string suffix, HashSet<string> taken)
    {
        var candidate = preferred;
        if (taken.Contains(candidate) || SyntaxFacts.GetKeywordKind(candidate) != SyntaxKind.None) candidate = preferred + suffix;
        for (int n = 2; taken.Contains(candidate); n++) candidate = preferred + suffix + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        taken.Add(candidate);
        return candidate;
    }
}
