namespace Rft.Generators.Tests.Infrastructure;

/// <summary>Files of this repository, found from the test's output folder.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding Dsl.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The C# files of an example project, e.g. "Arithmetic", by full path, sorted.</summary>
    public static IReadOnlyList<string> Example(string name) =>
        Directory.GetFiles(Path.Combine(Root, "examples", name), "*.cs", SearchOption.TopDirectoryOnly)
            .OrderBy(path => path, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The folder of a <c>dotnet new</c> template's content, e.g. "rft-pipeline".</summary>
    public static string Template(string name) => Path.Combine(Root, "templates", "Rft.Templates", "content", name);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Dsl.sln"))) return folder.FullName;
        }

        throw new InvalidOperationException($"No Dsl.sln above {AppContext.BaseDirectory}: the tests read the examples from the repository.");
    }
}
