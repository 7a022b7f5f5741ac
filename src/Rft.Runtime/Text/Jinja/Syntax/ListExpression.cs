namespace Rft.Text.Jinja.Syntax;

/// <summary>A list <c>[a, b]</c> or tuple <c>(a, b)</c> literal; tuples are lists at run time, as loop targets they unpack.</summary>
internal sealed class ListExpression(SourcePosition position, IReadOnlyList<Expression> items, bool isTuple) : Expression(position)
{
    public IReadOnlyList<Expression> Items { get; } = items;

    public bool IsTuple { get; } = isTuple;

    protected override object? EvaluateCore(JinjaScope scope) => Items.Select(item => item.Evaluate(scope)).ToList();
}
