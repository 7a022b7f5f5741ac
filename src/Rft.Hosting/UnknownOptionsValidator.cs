using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Rft.Hosting;

/// <summary>
/// Fails on a configuration key under the options section that names no option (<c>--Rft:Stpes=5</c>),
/// which the configuration binder would otherwise ignore silently, and suggests the nearest option name.
/// </summary>
internal sealed class UnknownOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly string[] OptionNames = typeof(TOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(property => property.GetIndexParameters().Length == 0)
        .Select(property => property.Name)
        .Order(StringComparer.Ordinal)
        .ToArray();

    private readonly IConfiguration _configuration;
    private readonly string _sectionPath;

    public UnknownOptionsValidator(IConfiguration configuration, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(sectionPath);
        _configuration = configuration;
        _sectionPath = sectionPath;
    }

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        List<string>? failures = null;
        foreach (var child in _configuration.GetSection(_sectionPath).GetChildren())
        {
            if (OptionNames.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            failures ??= [];
            failures.Add(Describe(child.Key));
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string Describe(string key)
    {
        var nearest = OptionNames.MinBy(option => EditDistance(key, option));
        var prefix = $"{_sectionPath}:{key} is not an option of {typeof(TOptions).Name}";
        if (nearest is not null && EditDistance(key, nearest) <= Math.Max(2, key.Length / 3))
        {
            return $"{prefix}: did you mean {_sectionPath}:{nearest}?";
        }

        return $"{prefix}; the options are {string.Join(", ", OptionNames)}";
    }

    /// <summary>Case-insensitive Levenshtein distance.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
