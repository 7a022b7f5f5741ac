using Microsoft.CodeAnalysis.Text;

namespace Rft.Generators.Tests.Infrastructure;

/// <summary>Source text with one span marked as <c>[|...|]</c>, the way Roslyn's own tests mark expected locations.</summary>
internal sealed record MarkedSource(string Text, TextSpan Span)
{
    public LinePositionSpan LineSpan => SourceText.From(Text).Lines.GetLinePositionSpan(Span);

    public static MarkedSource Parse(string marked)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < start) throw new ArgumentException("The source marks no [|span|].", nameof(marked));
        var text = marked.Remove(end, 2).Remove(start, 2);
        return new MarkedSource(text, TextSpan.FromBounds(start, end - 2));
    }
}
