using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Rft.Generators.Infrastructure;

namespace Rft.Generators.Diagnostics;

/// <summary>
/// A diagnostic as plain values (descriptor id, location, message arguments), so the parser's
/// result stays equatable; it becomes a <see cref="Diagnostic"/> only when reported.
/// </summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params object?[] arguments) =>
        new(descriptor.Id,
            LocationInfo.From(location),
            arguments.Select(a => System.Convert.ToString(a, CultureInfo.InvariantCulture) ?? string.Empty).ToEquatableArray());

    public bool IsError => DiagnosticDescriptors.ById(Id).DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(
            DiagnosticDescriptors.ById(Id),
            Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
            Arguments.Cast<object?>().ToArray());
}
