using System.Text.Json;

namespace Rft.Text;

/// <summary>
/// What <see cref="HuggingFaceTokenizer"/> needs from a Hugging Face <c>tokenizer.json</c>: the BPE
/// vocabulary and merges, the added tokens, the pre-tokenizer's split regex and whether it normalizes to NFC.
/// </summary>
internal sealed record TokenizerJson(
    Dictionary<string, int> Vocabulary,
    List<string> Merges,
    List<AddedToken> AddedTokens,
    string SplitPattern,
    bool Nfc)
{
    /// <summary>GPT-2's split, used by a <c>ByteLevel</c> pre-tokenizer with <c>use_regex: true</c>.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static TokenizerJson Read(string file)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(file);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Error(file, "the root", $"is {root.ValueKind}; a tokenizer.json is an object with \"model\", \"added_tokens\" and \"pre_tokenizer\"");

            var model = Property(file, root, "model", JsonValueKind.Object);
            string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "BPE";
            if (type != "BPE") throw Error(file, "model.type", $"is \"{type}\"; only \"BPE\" models are supported");

            var vocabulary = ReadVocabulary(file, Property(file, model, "vocab", JsonValueKind.Object, "model."));
            var merges = ReadMerges(file, Property(file, model, "merges", JsonValueKind.Array, "model."), vocabulary);
            var added = ReadAddedTokens(file, root);

            bool byteLevel = false;
            string? pattern = null;
            if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object)
                ReadPreTokenizer(file, "pre_tokenizer", pre, ref pattern, ref byteLevel);
            if (root.TryGetProperty("decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object && TypeOf(decoder) == "ByteLevel")
                byteLevel = true;
            if (!byteLevel) throw Error(file, "pre_tokenizer", "has no ByteLevel step (nor does decoder); only byte-level BPE tokenizers are supported");
            if (pattern is null) throw Error(file, "pre_tokenizer", "has no Split step with a \"pattern\": {\"Regex\": ...} and no ByteLevel step with \"use_regex\": true, so the text cannot be split into words");

            bool nfc = false;
            if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object)
            {
                string normalizerType = TypeOf(normalizer) ?? "";
                nfc = normalizerType == "NFC";
                if (!nfc) throw Error(file, "normalizer", $"is \"{normalizerType}\"; only null or NFC are supported");
            }

            return new TokenizerJson(vocabulary, merges, added, pattern, nfc);
        }
    }

    private static Dictionary<string, int> ReadVocabulary(string file, JsonElement vocab)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                throw Error(file, $"model.vocab[\"{entry.Name}\"]", $"is {entry.Value.GetRawText()}; an id is a non-negative integer");
            vocabulary[entry.Name] = id;
        }

        if (vocabulary.Count == 0) throw Error(file, "model.vocab", "is empty");
        return vocabulary;
    }

    // Merges come as "a b" strings (older files) or ["a", "b"] pairs (tokenizers >= 0.20).
    private static List<string> ReadMerges(string file, JsonElement array, Dictionary<string, int> vocabulary)
    {
        var merges = new List<string>(array.GetArrayLength());
        int index = 0;
        foreach (var merge in array.EnumerateArray())
        {
            string? left, right;
            if (merge.ValueKind == JsonValueKind.String)
            {
                string text = merge.GetString()!;
                int space = text.IndexOf(' ');
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                    throw Error(file, $"model.merges[{index}]", $"is \"{text}\"; a merge string is two tokens separated by one space");
                left = text[..space];
                right = text[(space + 1)..];
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                left = merge[0].GetString()!;
                right = merge[1].GetString()!;
                if (left.Length == 0 || right.Length == 0 || left.Contains(' ') || right.Contains(' '))
                    throw Error(file, $"model.merges[{index}]", $"is {merge.GetRawText()}; Microsoft.ML.Tokenizers needs merge tokens that are non-empty and hold no space");
            }
            else
            {
                throw Error(file, $"model.merges[{index}]", $"is {merge.GetRawText()}; a merge is \"a b\" or [\"a\", \"b\"]");
            }

            if (!vocabulary.ContainsKey(left) || !vocabulary.ContainsKey(right) || !vocabulary.ContainsKey(left + right))
                throw Error(file, $"model.merges[{index}]", $"merges \"{left}\" and \"{right}\", but \"{left}\", \"{right}\" or \"{left + right}\" is not in model.vocab");
            merges.Add(left + " " + right);
            index++;
        }

        return merges;
    }

    private static List<AddedToken> ReadAddedTokens(string file, JsonElement root)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var array) || array.ValueKind == JsonValueKind.Null) return tokens;
        if (array.ValueKind != JsonValueKind.Array) throw Error(file, "added_tokens", $"is {array.ValueKind}; expected an array");
        int index = 0;
        foreach (var token in array.EnumerateArray())
        {
            string field = $"added_tokens[{index}]";
            if (token.ValueKind != JsonValueKind.Object) throw Error(file, field, $"is {token.ValueKind}; expected {{\"id\", \"content\", \"special\"}}");
            if (!token.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int value) || value < 0)
                throw Error(file, field + ".id", "is missing or not a non-negative integer");
            if (!token.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String || content.GetString()!.Length == 0)
                throw Error(file, field + ".content", "is missing or not a non-empty string");
            bool special = token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
            if (tokens.Any(t => t.Content == content.GetString()))
                throw Error(file, field + ".content", $"\"{content.GetString()}\" is already an earlier added token");
            tokens.Add(new AddedToken(value, content.GetString()!, special));
            index++;
        }

        return tokens;
    }

    private static void ReadPreTokenizer(string file, string field, JsonElement step, ref string? pattern, ref bool byteLevel)
    {
        switch (TypeOf(step))
        {
            case "Sequence":
                if (!step.TryGetProperty("pretokenizers", out var steps) || steps.ValueKind != JsonValueKind.Array)
                    throw Error(file, field + ".pretokenizers", "is missing or not an array");
                int i = 0;
                foreach (var inner in steps.EnumerateArray()) ReadPreTokenizer(file, $"{field}.pretokenizers[{i++}]", inner, ref pattern, ref byteLevel);
                break;
            case "Split":
                if (pattern is not null) throw Error(file, field, "is a second Split step; only one split regex is supported");
                if (!step.TryGetProperty("pattern", out var p) || p.ValueKind != JsonValueKind.Object
                    || !p.TryGetProperty("Regex", out var regex) || regex.ValueKind != JsonValueKind.String)
                    throw Error(file, field + ".pattern", "is not {\"Regex\": \"...\"}; only regex splits are supported");
                string behavior = step.TryGetProperty("behavior", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "Isolated";
                bool invert = step.TryGetProperty("invert", out var inv) && inv.ValueKind == JsonValueKind.True;
                if (behavior != "Isolated" || invert)
                    throw Error(file, field, $"has behavior \"{behavior}\" and invert {invert.ToString().ToLowerInvariant()}; only \"Isolated\" without invert is supported");
                pattern = regex.GetString()!;
                break;
            case "ByteLevel":
                byteLevel = true;
                if (step.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True)
                    throw Error(file, field + ".add_prefix_space", "is true; only false is supported");
                if (step.TryGetProperty("use_regex", out var useRegex) && useRegex.ValueKind == JsonValueKind.True)
                {
                    if (pattern is not null) throw Error(file, field + ".use_regex", "is true after a Split step; only one split regex is supported");
                    pattern = Gpt2Pattern;
                }

                break;
            default:
                throw Error(file, field + ".type", $"is \"{TypeOf(step)}\"; supported pre-tokenizers are Sequence, Split and ByteLevel");
        }
    }

    private static string? TypeOf(JsonElement element) =>
        element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    private static JsonElement Property(string file, JsonElement parent, string name, JsonValueKind kind, string prefix = "")
    {
        if (!parent.TryGetProperty(name, out var value)) throw Error(file, prefix + name, "is missing");
        if (value.ValueKind != kind) throw Error(file, prefix + name, $"is {value.ValueKind}; expected {kind}");
        return value;
    }

    private static FormatException Error(string file, string field, string problem) => new($"{file}: {field} {problem}.");
}
