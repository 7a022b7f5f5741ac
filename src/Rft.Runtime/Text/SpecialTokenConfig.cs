using System.Text.Json;

namespace Rft.Text;

/// <summary>
/// Settles the begin, end and pad ids from <c>tokenizer_config.json</c> (<c>bos_token</c>, <c>eos_token</c>,
/// <c>pad_token</c>: a string, an <c>{"content": ...}</c> object or null) and <c>generation_config.json</c>
/// (<c>bos_token_id</c>, <c>eos_token_id</c> as one id or a list, <c>pad_token_id</c>), as Hugging Face's
/// <c>generate</c> does: generation_config.json's ids win, then tokenizer_config.json's; the pad id
/// falls back to the end id.
/// </summary>
internal static class SpecialTokenConfig
{
    public static SpecialIds Read(string folder, IReadOnlyDictionary<string, int> addedTokens, IReadOnlyDictionary<string, int> vocabulary)
    {
        string tokenizerConfig = Path.Combine(folder, "tokenizer_config.json");
        string generationConfig = Path.Combine(folder, "generation_config.json");
        int? bos = null, eos = null, pad = null;
        var stop = new List<int>();

        if (File.Exists(generationConfig))
        {
            using var document = Parse(generationConfig);
            var root = document.RootElement;
            bos = Id(generationConfig, root, "bos_token_id");
            pad = Id(generationConfig, root, "pad_token_id");
            if (root.TryGetProperty("eos_token_id", out var e))
            {
                if (e.ValueKind == JsonValueKind.Array)
                {
                    int i = 0;
                    foreach (var item in e.EnumerateArray()) stop.Add(ToId(generationConfig, $"eos_token_id[{i++}]", item));
                }
                else if (e.ValueKind != JsonValueKind.Null)
                {
                    stop.Add(ToId(generationConfig, "eos_token_id", e));
                }
            }

            if (stop.Count > 0) eos = stop[0];
        }

        if (File.Exists(tokenizerConfig))
        {
            using var document = Parse(tokenizerConfig);
            var root = document.RootElement;
            bos ??= Token(tokenizerConfig, root, "bos_token", addedTokens, vocabulary);
            pad ??= Token(tokenizerConfig, root, "pad_token", addedTokens, vocabulary);
            int? configEos = Token(tokenizerConfig, root, "eos_token", addedTokens, vocabulary);
            eos ??= configEos;
            if (configEos is int id && !stop.Contains(id)) stop.Add(id);
        }

        if (eos is null)
            throw new FormatException($"{folder}: no end token: neither generation_config.json's eos_token_id nor tokenizer_config.json's eos_token is set (or the files are absent).");
        if (stop.Count == 0) stop.Add(eos.Value);
        return new SpecialIds(bos, eos.Value, pad ?? eos.Value, stop);
    }

    private static JsonDocument Parse(string file)
    {
        try
        {
            var document = JsonDocument.Parse(File.ReadAllBytes(file));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new FormatException($"{file}: the root is not a JSON object.");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}", e);
        }
    }

    private static int? Id(string file, JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? ToId(file, name, value) : null;

    private static int ToId(string file, string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && id >= 0
            ? id
            : throw new FormatException($"{file}: {field} is {value.GetRawText()}; a token id is a non-negative integer.");

    private static int? Token(string file, JsonElement root, string name, IReadOnlyDictionary<string, int> addedTokens, IReadOnlyDictionary<string, int> vocabulary)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        string? content = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
            _ => throw new FormatException($"{file}: {name} is {value.GetRawText()}; expected a token string, {{\"content\": ...}} or null."),
        };
        if (addedTokens.TryGetValue(content!, out int id) || vocabulary.TryGetValue(content!, out id)) return id;
        throw new FormatException($"{file}: {name} \"{content}\" is neither an added token nor in the vocabulary of tokenizer.json.");
    }
}
