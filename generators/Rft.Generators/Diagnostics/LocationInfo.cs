using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Rft.Generators.Diagnostics;

/// <summary>A source location as plain values: a <see cref="Location"/> would pin its syntax tree.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location)
    {
        if (location is null || !location.IsInSource) return null;
        return new LocationInfo(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);
    }

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
