using System.Reflection;

namespace Rft.Hosting;

/// <summary>
/// Which options class <see cref="RftServiceCollectionExtensions.AddRftOptions{TOptions}"/> registered, under which
/// configuration section: the <c>eval</c> verb applies only those keys of a run's options.json that name an option.
/// </summary>
internal sealed class RftOptionsRegistration(Type optionsType, string sectionPath)
{
    public string SectionPath { get; } = sectionPath;

    /// <summary>The options' names (public settable properties), compared case-insensitively as configuration does.</summary>
    public IReadOnlySet<string> OptionNames { get; } = optionsType
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(property => property.CanWrite && property.GetIndexParameters().Length == 0)
        .Select(property => property.Name)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);
}
