using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rft.Hosting;

/// <summary>Creates a run's own directory and writes the options it ran with.</summary>
internal static class RunDirectory
{
    private static readonly JsonSerializerOptions OptionsJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Creates <c>&lt;root&gt;/&lt;pipeline&gt;-&lt;yyyyMMdd-HHmmss&gt;-seed&lt;seed&gt;</c>, adding <c>-2</c>, <c>-3</c>...
    /// when a run of the same second exists; a relative root is taken from the current directory.
    /// </summary>
    public static string Create(string root, string pipeline, int seed, DateTimeOffset startedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var name = string.Create(CultureInfo.InvariantCulture, $"{SafeName(pipeline)}-{startedAt:yyyyMMdd-HHmmss}-seed{seed}");
        var basePath = Path.Combine(Path.GetFullPath(root), name);
        var path = basePath;
        for (var suffix = 2; Directory.Exists(path) || File.Exists(path); suffix++)
        {
            path = string.Create(CultureInfo.InvariantCulture, $"{basePath}-{suffix}");
        }

        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes the options object's public properties, under their configuration names, to <c>options.json</c>.</summary>
    public static void WriteOptions(string runDirectory, object options)
    {
        using var file = new FileStream(Path.Combine(runDirectory, "options.json"), FileMode.CreateNew, FileAccess.Write);
        JsonSerializer.Serialize(file, options, options.GetType(), OptionsJson);
        file.WriteByte((byte)'\n');
    }

    /// <summary>
    /// The newest run directory under <paramref name="runRoot"/> that <paramref name="accept"/> takes (judged by the
    /// newest write to the folder <paramref name="stamp"/> names within the run, the run folder itself when null), or null.
    /// </summary>
    public static string? Newest(string runRoot, Func<string, bool> accept, Func<string, string>? stamp = null)
    {
        if (!Directory.Exists(runRoot)) return null;
        stamp ??= run => run;
        return Directory.EnumerateDirectories(runRoot)
            .Where(accept)
            .OrderByDescending(run => Directory.GetLastWriteTimeUtc(stamp(run)))
            .ThenByDescending(run => run, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static string SafeName(string pipeline)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var name = string.IsNullOrWhiteSpace(pipeline) ? "run" : pipeline;
        return string.Create(name.Length, name, (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Array.IndexOf(invalid, source[i]) >= 0 ? '_' : source[i];
            }
        });
    }
}
