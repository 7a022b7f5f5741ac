using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>Creates a run's own directory, finds the newest one of a pipeline, and writes and reads the options it ran with.</summary>
internal static partial class RunDirectory
{
    public const string OptionsFile = "options.json";

    // options.json holds one value per option: a few kilobytes.
    private const long MaxOptionsBytes = 16 << 20;

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

    /// <summary>
    /// Writes the options object's public properties, under their configuration names, to <c>options.json</c>,
    /// replacing the file atomically (a resumed run records the options it goes on with).
    /// </summary>
    public static void WriteOptions(string runDirectory, object options) =>
        DurableFiles.Write(Path.Combine(runDirectory, OptionsFile), file =>
        {
            JsonSerializer.Serialize(file, options, options.GetType(), OptionsJson);
            file.WriteByte((byte)'\n');
        });

    /// <summary>The options object as <see cref="WriteOptions"/> writes it.</summary>
    public static JsonElement SerializeOptions(object options) => JsonSerializer.SerializeToElement(options, options.GetType(), OptionsJson);

    /// <summary>The <c>options.json</c> of a run directory.</summary>
    /// <exception cref="FormatException">The file is missing, too large or not a JSON object; the message names it.</exception>
    public static JsonElement ReadOptions(string runDirectory)
    {
        string path = Path.Combine(runDirectory, OptionsFile);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FormatException($"{path} is missing: {runDirectory} is not a run directory.");
        if (info.Length > MaxOptionsBytes) throw new FormatException($"{path} is {info.Length} bytes, more than the {MaxOptionsBytes}-byte limit of an options file.");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"{path} is a JSON {document.RootElement.ValueKind}; the options of a run are a JSON object.");
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path} is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): it is damaged.", e);
        }
    }

    /// <summary>
    /// The newest run directory of <paramref name="pipeline"/> under <paramref name="root"/>: the latest start time in its
    /// name (<c>&lt;pipeline&gt;-&lt;yyyyMMdd-HHmmss&gt;-seed&lt;seed&gt;[-n]</c>), then the highest suffix; null when there is none.
    /// </summary>
    public static string? FindLatest(string root, string pipeline)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) return null;
        string prefix = SafeName(pipeline) + "-";
        return Directory.EnumerateDirectories(full)
            .Select(path => (Path: path, Match: RunName().Match(Path.GetFileName(path))))
            .Where(run => run.Match.Success && Path.GetFileName(run.Path).StartsWith(prefix, StringComparison.Ordinal)
                && Path.GetFileName(run.Path).Length == prefix.Length + run.Match.Length)
            .OrderByDescending(run => run.Match.Groups["time"].Value, StringComparer.Ordinal)
            .ThenByDescending(run => run.Match.Groups["suffix"].Success ? int.Parse(run.Match.Groups["suffix"].Value, CultureInfo.InvariantCulture) : 1)
            .Select(run => run.Path)
            .FirstOrDefault();
    }

    // What follows "<pipeline>-" in a run directory's name.
    [GeneratedRegex(@"(?<time>\d{8}-\d{6})-seed\d+(-(?<suffix>\d{1,9}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex RunName();

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
