using System.Text;

namespace Rft.Text.Jinja.Syntax;

/// <summary>A node that writes output or changes variables.</summary>
internal abstract class Statement(SourcePosition position)
{
    public SourcePosition Position { get; } = position;

    public abstract Flow Render(JinjaScope scope, StringBuilder output);

    /// <summary>Renders statements in order; stops at a <c>break</c> or <c>continue</c> and passes it up.</summary>
    public static Flow RenderAll(IReadOnlyList<Statement> body, JinjaScope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            var flow = statement.Render(scope, output);
            if (flow != Flow.Normal) return flow;
        }

        return Flow.Normal;
    }

    /// <summary>Binds <paramref name="value"/> to a name, a tuple of names (unpacking) or a namespace attribute.</summary>
    public static void Assign(Expression target, object? value, JinjaScope scope)
    {
        switch (target)
        {
            case NameExpression name:
                scope.Set(name.Name, value);
                break;
            case ListExpression tuple:
                var items = value as List<object?> ?? throw new JinjaException(scope.TemplateName, target.Position,
                    $"cannot unpack a {JinjaValues.TypeName(value)} into {tuple.Items.Count} names");
                if (items.Count != tuple.Items.Count)
                    throw new JinjaException(scope.TemplateName, target.Position,
                        $"cannot unpack {items.Count} values into {tuple.Items.Count} names");
                for (int i = 0; i < items.Count; i++) Assign(tuple.Items[i], items[i], scope);
                break;
            case AttributeExpression attribute:
                if (attribute.Target.Evaluate(scope) is not JinjaNamespace ns)
                    throw new JinjaException(scope.TemplateName, target.Position, "cannot assign attribute on non-namespace object");
                ns.Attributes[attribute.Name] = value;
                break;
            default:
                throw new JinjaException(scope.TemplateName, target.Position, "can only assign to a name, names separated by commas, or a namespace attribute");
        }
    }
}
