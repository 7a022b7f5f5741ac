using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Rft.Data;

/// <summary>
/// A JSONL file (one JSON object a line) bound to the record type <typeparamref name="T"/> with
/// System.Text.Json. The file is read line by line once, on first use, and its rows kept in memory;
/// every epoch after that replays them, in file order (<see cref="InFileOrder"/>) or shuffled by the
/// epoch's RNG (<see cref="Shuffled"/>), either of which plugs into a <see cref="MixtureSource{T}"/>.
/// </summary>
/// <remarks>
/// Blank lines are skipped. A record's constructor parameters are required unless they have defaults,
/// and null is accepted only where the parameter is nullable. A malformed line (bad JSON, a missing
/// required field, a wrong type) becomes a <see cref="JsonlError"/> naming the file, 1-based line and
/// field: <see cref="JsonlErrorPolicy.Stop"/> throws it as a <see cref="JsonlFormatException"/>,
/// <see cref="JsonlErrorPolicy.SkipAndCount"/> counts it in <see cref="Report"/> and goes on. Since the
/// whole file is read before the first row is handed out, a stopping error surfaces before any step has
/// trained on the file, not midway through an epoch.
/// </remarks>
public sealed class JsonlSource<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly bool _caseInsensitive;
    private T[]? _rows;
    private JsonlReadReport? _report;

    /// <summary>
    /// Binds rows with <paramref name="typeInfo"/>, typically source-generated metadata
    /// (<c>MyJsonContext.Default.Problem</c>). Its options are copied with
    /// <see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/> and
    /// <see cref="JsonSerializerOptions.RespectNullableAnnotations"/> switched on.
    /// </summary>
    public JsonlSource(string path, JsonTypeInfo<T> typeInfo, JsonlErrorPolicy policy = JsonlErrorPolicy.Stop)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(typeInfo);
        Path = path;
        Policy = policy;
        _typeInfo = typeInfo.Options is { RespectRequiredConstructorParameters: true, RespectNullableAnnotations: true }
            ? typeInfo
            : (JsonTypeInfo<T>)Strict(typeInfo.Options).GetTypeInfo(typeof(T));
        _caseInsensitive = _typeInfo.Options.PropertyNameCaseInsensitive;
    }

    /// <summary>
    /// Binds rows by reflection with <paramref name="options"/>; when none are given, property names
    /// match case-insensitively (<c>"question"</c> binds <c>Question</c>).
    /// </summary>
    public JsonlSource(string path, JsonSerializerOptions? options = null, JsonlErrorPolicy policy = JsonlErrorPolicy.Stop)
        : this(path, ReflectionTypeInfo(options), policy)
    {
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>What a malformed line does.</summary>
    public JsonlErrorPolicy Policy { get; }

    /// <summary>The rows bound, in file order (reads the file on first use).</summary>
    public IReadOnlyList<T> Rows => Load();

    /// <summary>Rows read and malformed lines skipped, by kind (reads the file on first use).</summary>
    public JsonlReadReport Report
    {
        get
        {
            Load();
            return _report!;
        }
    }

    /// <summary>One epoch in file order; the RNG is not used (the signature is <see cref="MixtureSource{T}.Open"/>'s).</summary>
    public IEnumerable<T> InFileOrder(Random rng)
    {
        var rows = Load();
        for (int i = 0; i < rows.Length; i++) yield return rows[i];
    }

    /// <summary>One epoch in an order drawn from <paramref name="rng"/> (a Fisher-Yates shuffle done lazily, one swap a row).</summary>
    public IEnumerable<T> Shuffled(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var rows = Load();
        var order = new int[rows.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        for (int i = 0; i < order.Length; i++)
        {
            int j = rng.Next(i, order.Length);
            (order[i], order[j]) = (order[j], order[i]);
            yield return rows[order[i]];
        }
    }

    /// <summary>Rows drawn independently and uniformly (sampling with replacement), forever.</summary>
    public IEnumerable<T> WithReplacement(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var rows = Load();
        if (rows.Length == 0) yield break;
        while (true) yield return rows[rng.Next(rows.Length)];
    }

    /// <summary>
    /// This file as a mixture source named <paramref name="name"/>: without replacement, a new seeded order each
    /// epoch (<paramref name="shuffle"/>) or file order; or with replacement when <paramref name="withReplacement"/>.
    /// </summary>
    /// <remarks>Opening an epoch of a file without rows fails with <see cref="RequireRows"/>'s message rather than an empty epoch.</remarks>
    public MixtureSource<T> ToMixtureSource(string name, double weight, bool shuffle = true, bool withReplacement = false)
    {
        Func<Random, IEnumerable<T>> open = withReplacement ? WithReplacement : shuffle ? Shuffled : InFileOrder;
        return new(name, weight, rng =>
        {
            RequireRows(name);
            return open(rng);
        });
    }

    /// <summary>
    /// Reads the file and checks that it bound at least one row; <paramref name="name"/> names the source in the message.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// No row: the message says whether the file was empty or how many lines were skipped as malformed, shows the
    /// first (file, line, field) and how to fix it.
    /// </exception>
    public void RequireRows(string name)
    {
        var rows = Load();
        if (rows.Length > 0) return;
        var report = _report!;
        string source = $"JSON Lines source '{name}' ({Path}) has no records";
        if (report.Skipped == 0)
        {
            throw new InvalidDataException(report.BlankLines == 0
                ? $"{source}: the file is empty. Give it one JSON object per line for {typeof(T).Name}."
                : $"{source}: its {report.BlankLines} lines are blank. Give it one JSON object per line for {typeof(T).Name}.");
        }

        var kinds = Enum.GetValues<JsonlErrorKind>().Where(k => report.SkippedOf(k) > 0).Select(k => $"{report.SkippedOf(k)} {KindName(k)}");
        var first = report.FirstErrors[0];
        string fix = first.Fix ?? "correct the lines, or the record type's members (names, types, optional parameters) to match them.";
        throw new InvalidDataException(
            $"{source}: all {report.Skipped} of its non-blank lines were skipped as malformed (OnError = Skip; {string.Join(", ", kinds)}). " +
            $"The first: {first with { Fix = null }} Fix: {fix}");
    }

    private T[] Load()
    {
        if (_rows is not null) return _rows;
        var report = new JsonlReadReport();
        var rows = new List<T>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(Path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                report.CountBlank();
                continue;
            }

            if (TryBind(line, lineNumber, out var row, out var error, out var cause))
            {
                rows.Add(row);
                report.CountRow();
                continue;
            }

            if (Policy == JsonlErrorPolicy.Stop) throw new JsonlFormatException(error, cause);
            report.CountError(error);
        }

        _report = report;
        return _rows = rows.ToArray();
    }

    private bool TryBind(string line, int lineNumber, out T row, [NotNullWhen(false)] out JsonlError? error, out Exception? cause)
    {
        row = default!;
        error = null;
        cause = null;
        JsonException failure;
        try
        {
            var value = JsonSerializer.Deserialize(line, _typeInfo);
            if (value is not null)
            {
                row = value;
                return true;
            }

            failure = new JsonException("The line is the JSON literal null.");
        }
        catch (JsonException exception)
        {
            failure = exception;
        }

        error = Describe(line, lineNumber, failure);
        cause = failure;
        return false;
    }

    // Re-reads a line that failed to bind to say which field is at fault and what it should hold.
    private JsonlError Describe(string line, int lineNumber, JsonException failure)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException syntax)
        {
            return new JsonlError(Path, lineNumber, JsonlErrorKind.Syntax, "$", $"one JSON object per line for {typeof(T).Name}", FirstSentence(syntax.Message));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new JsonlError(Path, lineNumber, JsonlErrorKind.WrongType, "$", $"a JSON object for {typeof(T).Name}, not {Article(root.ValueKind)}", null);

            foreach (var property in _typeInfo.Properties)
            {
                if (!IsRequired(property) || TryGetField(root, property.Name, out _, out _)) continue;
                if (CaseMismatch(root, property.Name) is { } written)
                {
                    return new JsonlError(Path, lineNumber, JsonlErrorKind.MissingField, property.Name, Describe(property),
                        $"the line has '{written}', which differs only in case: this binding matches names case-sensitively",
                        $"match names case-insensitively (System.Text.Json's PropertyNameCaseInsensitive = true: on a JsonContext, [JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]; or on the JsonSerializerOptions given), or write the field as '{property.Name}'.");
                }

                return new JsonlError(Path, lineNumber, JsonlErrorKind.MissingField, property.Name, Describe(property), null);
            }

            foreach (var property in _typeInfo.Properties)
            {
                if (TryGetField(root, property.Name, out string written, out var value) && !Fits(property, value))
                    return new JsonlError(Path, lineNumber, JsonlErrorKind.WrongType, written, $"{Describe(property)}, not {Found(value)}", null);
            }

            // The value kinds fit but the serializer still refused (e.g. a number out of range).
            string field = failure.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "$";
            int nested = field.IndexOfAny(['.', '[']);
            string topLevel = nested < 0 ? field : field[..nested];
            var faulty = _typeInfo.Properties.FirstOrDefault(p => NameEquals(p.Name, topLevel));
            return new JsonlError(Path, lineNumber, JsonlErrorKind.WrongType, field, faulty is null ? $"a value {typeof(T).Name} accepts" : Describe(faulty), FirstSentence(failure.Message));
        }
    }

    private static bool IsRequired(JsonPropertyInfo property) =>
        property.IsRequired || property.AssociatedParameter is { HasDefaultValue: false, IsMemberInitializer: false };

    private static bool IsNullable(JsonPropertyInfo property) =>
        property.AssociatedParameter?.IsNullable ?? property.IsSetNullable;

    // The field bound to the property called name, and its name as the file writes it.
    private bool TryGetField(JsonElement root, string name, out string written, out JsonElement value)
    {
        foreach (var field in root.EnumerateObject())
        {
            if (NameEquals(field.Name, name))
            {
                written = field.Name;
                value = field.Value;
                return true;
            }
        }

        written = name;
        value = default;
        return false;
    }

    // A field that a case-sensitive binding missed because only its case differs from the property's name.
    private string? CaseMismatch(JsonElement root, string name)
    {
        if (_caseInsensitive) return null;
        foreach (var field in root.EnumerateObject())
        {
            if (string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase)) return field.Name;
        }

        return null;
    }

    private static string KindName(JsonlErrorKind kind) => kind switch
    {
        JsonlErrorKind.Syntax => "not valid JSON",
        JsonlErrorKind.MissingField => "missing a field",
        _ => "with a wrong type",
    };

    private bool NameEquals(string a, string b) =>
        string.Equals(a, b, _caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static bool Fits(JsonPropertyInfo property, JsonElement value)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (value.ValueKind == JsonValueKind.Null) return IsNullable(property);
        if (type == typeof(string) || type == typeof(char)) return value.ValueKind == JsonValueKind.String;
        if (type == typeof(bool)) return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
        if (type.IsEnum) return value.ValueKind is JsonValueKind.String or JsonValueKind.Number;
        if (IsNumber(type))
            return (value.ValueKind == JsonValueKind.Number && FitsNumber(type, value))
                || (value.ValueKind == JsonValueKind.String && (property.NumberHandling ?? property.Options.NumberHandling) != System.Text.Json.Serialization.JsonNumberHandling.Strict);
        return true;
    }

    // Integers must be whole and in range; floating-point and decimal targets take any JSON number.
    private static bool FitsNumber(Type type, JsonElement value) =>
        type == typeof(int) ? value.TryGetInt32(out _)
        : type == typeof(long) ? value.TryGetInt64(out _)
        : type == typeof(short) ? value.TryGetInt16(out _)
        : type == typeof(byte) ? value.TryGetByte(out _)
        : type == typeof(uint) ? value.TryGetUInt32(out _)
        : type == typeof(ulong) ? value.TryGetUInt64(out _)
        : type == typeof(ushort) ? value.TryGetUInt16(out _)
        : type == typeof(sbyte) ? value.TryGetSByte(out _)
        : true;

    private static string Found(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? $"the number {value.GetRawText()}" : Article(value.ValueKind);

    private static bool IsNumber(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte)
        || type == typeof(float) || type == typeof(double) || type == typeof(decimal) || type == typeof(Half)
        || type == typeof(Int128) || type == typeof(UInt128);

    private static string Describe(JsonPropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string kind = type == typeof(string) || type == typeof(char) ? "a JSON string"
            : type == typeof(bool) ? "true or false"
            : IsNumber(type) ? $"a JSON number ({type.Name})"
            : type.IsEnum ? $"a name or number of {type.Name}"
            : type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? "a JSON array"
            : $"a JSON object ({type.Name})";
        string member = property.AssociatedParameter?.Name ?? property.Name;
        return $"{kind}{(IsNullable(property) ? " or null" : "")} for {typeof(T).Name}.{member}";
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    private static JsonSerializerOptions Strict(JsonSerializerOptions options) => new(options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    private static JsonTypeInfo<T> ReflectionTypeInfo(JsonSerializerOptions? options)
    {
        var strict = Strict(options ?? new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        strict.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        return (JsonTypeInfo<T>)strict.GetTypeInfo(typeof(T));
    }
}
