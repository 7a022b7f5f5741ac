namespace Rft.Text.Jinja.Syntax;

/// <summary><c>callee(arguments)</c>: a global, a method of a value, or a macro.</summary>
internal sealed class CallExpression(SourcePosition position, Expression callee, CallArguments arguments) : Expression(position)
{
    protected override object? EvaluateCore(JinjaScope scope)
    {
        var target = callee.Evaluate(scope);
        JinjaValues.ThrowIfUndefined(target);
        if (target is not JinjaFunction function) throw new RenderError($"'{JinjaValues.TypeName(target)}' object is not callable");
        return function.Invoke(arguments.Evaluate(scope));
    }
}
