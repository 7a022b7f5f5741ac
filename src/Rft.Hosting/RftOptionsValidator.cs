using Microsoft.Extensions.Options;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>
/// Runs a pipeline options class's own <see cref="IRftOptions.Validate"/> for the options system, so that
/// <c>ValidateOnStart</c> reports every problem before any compute is spent.
/// </summary>
public sealed class RftOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class, IRftOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
