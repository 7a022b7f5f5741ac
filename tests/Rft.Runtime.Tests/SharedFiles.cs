using Xunit.Abstractions;

namespace Rft.Runtime.Tests;

/// <summary>
/// Locates the repository and the <c>../shared</c> folder beside it (see shared/README.md): tests that
/// need shared data skip with a visible message when it is absent, and fail when <c>CI=true</c>.
/// </summary>
public static class SharedFiles
{
    /// <summary>GSM8K's test split, relative to ../shared.</summary>
    public const string Gsm8kTest = "data/gsm8k/test.jsonl";

    /// <summary>The repository root: the first folder above the test binaries that holds Dsl.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>A committed fixture of the model-format tests (Models/Formats/Fixtures).</summary>
    public static string Fixture(string name) =>
        Path.Combine(RepositoryRoot, "tests", "Rft.Runtime.Tests", "Models", "Formats", "Fixtures", name);

    /// <summary>
    /// The full path of <paramref name="relativePath"/> under ../shared, or null after printing why the
    /// test is skipped. Under CI a missing file is a failure instead.
    /// </summary>
    public static string? Find(string relativePath, ITestOutputHelper output)
    {
        string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", relativePath));
        if (File.Exists(path) || Directory.Exists(path)) return path;

        string message = $"SKIPPED: {path} is absent (shared data lives in ../shared beside the repository; see its README).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message + " CI=true requires it.");
        output.WriteLine(message);
        Console.WriteLine(message);
        return null;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Dsl.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Dsl.sln; run the tests from the repository's build output.");
    }
}
