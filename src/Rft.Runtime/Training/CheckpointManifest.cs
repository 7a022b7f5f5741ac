using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rft.Training;

/// <summary>
/// <c>manifest.json</c>, written last into a checkpoint folder: the pipeline, where the run stood, why the
/// checkpoint was written, and each file's relative path, size and SHA-256. A folder whose manifest is
/// missing was never completed; a file that differs from its entry was truncated, damaged or replaced.
/// </summary>
public sealed record CheckpointManifest(
    string Pipeline,
    CheckpointPosition Position,
    int SftSteps,
    CheckpointReason Reason,
    DateTimeOffset WrittenAt,
    IReadOnlyList<CheckpointFileEntry> Files)
{
    public const string FileName = "manifest.json";

    /// <summary>The format this Rft writes and reads.</summary>
    public const int Version = 1;

    private const string Format = "rft-checkpoint";

    // A manifest lists a few dozen files; anything near this is not one.
    private const long MaxManifestBytes = 16 << 20;
    private const int MaxFiles = 100_000;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Lists every file under <paramref name="directory"/> (but a manifest) with its size and SHA-256, flushing
    /// each to the disk on the way, so that the manifest written next describes data that is durable.
    /// </summary>
    public static CheckpointManifest Describe(
        string directory, string pipeline, CheckpointPosition position, int sftSteps, CheckpointReason reason, DateTimeOffset writtenAt)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentException.ThrowIfNullOrEmpty(pipeline);
        var files = new List<CheckpointFileEntry>();
        foreach (string path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(directory, path).Replace('\\', '/');
            if (relative == FileName) continue;
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1 << 16);
            string hash = Convert.ToHexStringLower(SHA256.HashData(file));
            file.Flush(flushToDisk: true);
            files.Add(new CheckpointFileEntry(relative, file.Length, hash));
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new CheckpointManifest(pipeline, position, sftSteps, reason, writtenAt, files);
    }

    /// <summary>Writes <c>manifest.json</c> into <paramref name="directory"/>, flushed to the disk.</summary>
    public void Write(string directory)
    {
        using var file = new FileStream(Path.Combine(directory, FileName), FileMode.Create, FileAccess.Write, FileShare.None);
        using (var json = new Utf8JsonWriter(file, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", Version);
            json.WriteString("pipeline", Pipeline);
            json.WriteString("phase", Position.PhaseName);
            json.WriteNumber("step", Position.Step);
            json.WriteNumber("sft_steps", SftSteps);
            json.WriteString("reason", Reason.ToString().ToLowerInvariant());
            json.WriteString("written_at", WrittenAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteStartArray("files");
            foreach (var entry in Files)
            {
                json.WriteStartObject();
                json.WriteString("path", entry.Path);
                json.WriteNumber("bytes", entry.Bytes);
                json.WriteString("sha256", entry.Sha256);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        file.WriteByte((byte)'\n');
        file.Flush(flushToDisk: true);
    }

    /// <summary>Reads and checks the manifest of <paramref name="directory"/> without looking at the files it lists.</summary>
    /// <exception cref="InvalidCheckpointException">The manifest is missing, malformed or of another version.</exception>
    public static CheckpointManifest Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidCheckpointException(directory, path, CheckpointProblem.MissingManifest,
                $"{path} is missing: the checkpoint was never completed (the process stopped while writing it), or an Rft without checkpoint manifests wrote it.");
        }

        long length = new FileInfo(path).Length;
        if (length > MaxManifestBytes) throw Malformed(directory, path, $"is {length} bytes, more than a manifest's {MaxManifestBytes}-byte limit");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Malformed(directory, path, $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}; truncated or damaged)", e);
        }

        using (document)
        {
            return Parse(directory, path, document.RootElement);
        }
    }

    /// <summary>
    /// Checks that every file the manifest lists is there with its size and SHA-256, and, when
    /// <paramref name="pipeline"/> is given, that this pipeline wrote the checkpoint.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The first problem found; the message names the file and what is wrong.</exception>
    public static CheckpointManifest Verify(string directory, string? pipeline)
    {
        var manifest = Read(directory);
        if (pipeline is not null && manifest.Pipeline != pipeline)
        {
            throw new InvalidCheckpointException(directory, Path.Combine(directory, FileName), CheckpointProblem.OtherPipeline,
                $"{directory} was written by pipeline {manifest.Pipeline}, not {pipeline}: a checkpoint resumes only the pipeline that wrote it.");
        }

        foreach (var entry in manifest.Files)
        {
            string path = Path.Combine(directory, entry.Path);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new InvalidCheckpointException(directory, path, CheckpointProblem.MissingFile,
                    $"{path} is missing: the manifest lists it with {entry.Bytes} bytes.");
            }

            if (info.Length != entry.Bytes)
            {
                string how = info.Length < entry.Bytes ? "truncated" : "longer than written";
                throw new InvalidCheckpointException(directory, path, CheckpointProblem.SizeMismatch,
                    $"{path} is {info.Length} bytes but the manifest says {entry.Bytes} ({how}).");
            }

            string hash;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16))
                hash = Convert.ToHexStringLower(SHA256.HashData(file));
            if (hash != entry.Sha256)
            {
                throw new InvalidCheckpointException(directory, path, CheckpointProblem.HashMismatch,
                    $"{path} has SHA-256 {hash} but the manifest says {entry.Sha256}: the file was altered or damaged after it was written.");
            }
        }

        return manifest;
    }

    private static CheckpointManifest Parse(string directory, string path, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Malformed(directory, path, $"is a JSON {root.ValueKind}, not an object");
        string format = String(directory, path, root, "format");
        if (format != Format) throw Malformed(directory, path, $"has \"format\": \"{format}\"; an Rft checkpoint manifest has \"{Format}\"");
        int version = Int(directory, path, root, "version");
        if (version != Version)
        {
            throw new InvalidCheckpointException(directory, path, CheckpointProblem.UnsupportedVersion,
                $"{path} has format version {version}; this Rft reads version {Version}.");
        }

        string pipeline = String(directory, path, root, "pipeline");
        string phaseName = String(directory, path, root, "phase");
        if (!CheckpointPosition.TryParsePhase(phaseName, out var phase)) throw Malformed(directory, path, $"has \"phase\": \"{phaseName}\"; expected \"sft\" or \"rl\"");
        int step = Int(directory, path, root, "step");
        int sftSteps = Int(directory, path, root, "sft_steps");
        string reasonName = String(directory, path, root, "reason");
        if (!Enum.TryParse<CheckpointReason>(reasonName, ignoreCase: true, out var reason) || !Enum.IsDefined(reason) || reasonName.Any(char.IsDigit))
            throw Malformed(directory, path, $"has \"reason\": \"{reasonName}\"; expected periodic, interrupted, completed or failed");
        string writtenAtText = String(directory, path, root, "written_at");
        if (!DateTimeOffset.TryParse(writtenAtText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var writtenAt))
            throw Malformed(directory, path, $"has \"written_at\": \"{writtenAtText}\", not a date and time");

        if (!root.TryGetProperty("files", out var filesElement) || filesElement.ValueKind != JsonValueKind.Array)
            throw Malformed(directory, path, "lacks the \"files\" array");
        if (filesElement.GetArrayLength() > MaxFiles) throw Malformed(directory, path, $"lists more than {MaxFiles} files");
        var files = new List<CheckpointFileEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in filesElement.EnumerateArray())
        {
            string where = $"files[{files.Count}]";
            if (item.ValueKind != JsonValueKind.Object) throw Malformed(directory, path, $"has {where} = {item.ValueKind}, not an object");
            string relative = String(directory, path, item, "path", where + ".");
            if (!IsSafeRelativePath(relative))
                throw Malformed(directory, path, $"has {where}.path = \"{relative}\", not a relative path inside the checkpoint folder");
            if (!seen.Add(relative)) throw Malformed(directory, path, $"lists \"{relative}\" twice");
            if (!item.TryGetProperty("bytes", out var bytesElement) || bytesElement.ValueKind != JsonValueKind.Number || !bytesElement.TryGetInt64(out long bytes) || bytes < 0)
                throw Malformed(directory, path, $"lacks a non-negative integer {where}.bytes");
            string hash = String(directory, path, item, "sha256", where + ".");
            if (hash.Length != 64 || hash.AsSpan().IndexOfAnyExcept("0123456789abcdef") >= 0)
                throw Malformed(directory, path, $"has {where}.sha256 = \"{hash}\", not 64 lowercase hexadecimal digits");
            files.Add(new CheckpointFileEntry(relative, bytes, hash));
        }

        var position = new CheckpointPosition(phase, step);
        if (step < 0 || sftSteps < 0 || (phase == TrainingPhase.Sft && sftSteps != step))
            throw Malformed(directory, path, $"has {position} with sft_steps {sftSteps}, which cannot be");
        return new CheckpointManifest(pipeline, position, sftSteps, reason, writtenAt, files);
    }

    // Manifest paths name files under the folder: no rooted paths, no climbing out, no empty segments.
    private static bool IsSafeRelativePath(string path) =>
        path.Length > 0 && !Path.IsPathRooted(path) && path.IndexOf('\\') < 0 && path.IndexOf('\0') < 0 &&
        path.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != "..") && path != FileName;

    private static string String(string directory, string path, JsonElement element, string name, string prefix = "")
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            throw Malformed(directory, path, $"lacks the string {prefix}{name}");
        return value.GetString()!;
    }

    private static int Int(string directory, string path, JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number))
            throw Malformed(directory, path, $"lacks the integer {name}");
        return number;
    }

    private static InvalidCheckpointException Malformed(string directory, string path, string what, Exception? inner = null) =>
        new(directory, path, CheckpointProblem.MalformedManifest, $"{path} {what}: it is not a valid checkpoint manifest.", inner);
}
