namespace Rft.Text.Jinja.Syntax;

/// <summary>A comparison chain, <c>a == b</c>, <c>a &lt; b &lt;= c</c>, <c>x in y</c>, <c>x not in y</c>, true when every link holds.</summary>
internal sealed class CompareExpression(SourcePosition position, Expression first, IReadOnlyList<(string Op, Expression Operand)> rest) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope)
    {
        var left = first.Evaluate(scope);
        foreach (var (op, operand) in rest)
        {
            var right = operand.Evaluate(scope);
            bool holds = op switch
            {
                "==" => JinjaValues.Equal(left, right),
                "!=" => !JinjaValues.Equal(left, right),
                "in" => JinjaValues.Contains(right, left),
                "not in" => !JinjaValues.Contains(right, left),
                "<" => JinjaValues.Compare(left, right, op) < 0,
                "<=" => JinjaValues.Compare(left, right, op) <= 0,
                ">" => JinjaValues.Compare(left, right, op) > 0,
                _ => JinjaValues.Compare(left, right, op) >= 0,
            };
            if (!holds) return false;
            left = right;
        }

        return true;
    }
}
