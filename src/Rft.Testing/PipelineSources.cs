namespace Rft.Testing;

/// <summary>The C# sources of a pipeline project, as the compiler sees them.</summary>
public static class PipelineSources
{
    /// <summary>The global usings an SDK project with <c>&lt;ImplicitUsings&gt;enable&lt;/ImplicitUsings&gt;</c> gets.</summary>
    public const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    /// <summary>
    /// Every <c>*.cs</c> file under <paramref name="projectDirectory"/> except bin/ and obj/, by
    /// full path in ordinal order, plus <see cref="ImplicitUsings"/> when <paramref name="implicitUsings"/>.
    /// </summary>
    public static IReadOnlyList<(string Path, string Text)> FromProject(string projectDirectory, bool implicitUsings = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectDirectory);
        var root = Path.GetFullPath(projectDirectory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The pipeline project folder '{root}' does not exist: pass the folder that holds the pipeline's .csproj.");

        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(root, path))
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (path, File.ReadAllText(path)))
            .ToList();
        if (files.Count == 0)
            throw new ArgumentException($"The pipeline project folder '{root}' holds no .cs file outside bin/ and obj/.", nameof(projectDirectory));

        if (implicitUsings) files.Add((Path.Combine(root, "obj", "GlobalUsings.g.cs"), ImplicitUsings));
        return files;
    }

    private static bool IsBuildOutput(string root, string path)
    {
        var first = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }
}
