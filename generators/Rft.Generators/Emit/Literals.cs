using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace Rft.Generators.Emit;

/// <summary>C# literals for values read from attributes.</summary>
internal static class Literals
{
    /// <summary>The shortest round-tripping form: <c>3E-05</c>, <c>0.28</c>, <c>1</c>.</summary>
    public static string Double(double value)
    {
        if (double.IsNaN(value)) return "double.NaN";
        if (double.IsPositiveInfinity(value)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return "double.NegativeInfinity";
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A quoted, escaped string literal.</summary>
    public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
