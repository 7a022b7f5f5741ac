using System.Text.Json.Nodes;

namespace Rft.Runtime.Tests.Models;

/// <summary>A minimal byte-level BPE tokenizer.json (259 ids: 256 bytes, "he", "hel", and the special "&lt;|end|&gt;") with its tokenizer_config.json.</summary>
public static class TinyHuggingFaceFiles
{
    public const int VocabSize = 259;

    /// <summary>The tokenizer.json object (GPT-2's byte-to-unicode table, then "he" and "hel" from the merges "h e", "he l").</summary>
    public static JsonObject Tokenizer()
    {
        var vocab = new JsonObject();
        int id = 0;
        int shifted = 0;
        for (int b = 0; b < 256; b++)
        {
            // Printable Latin-1 bytes stand for themselves, the rest shift to U+0100.
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            vocab[((char)(printable ? b : 256 + shifted++)).ToString()] = id++;
        }

        vocab["he"] = id++;
        vocab["hel"] = id++;
        return new JsonObject
        {
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = id, ["content"] = "<|end|>", ["special"] = true }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = @"\s+|\S+" }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray("h e", "he l") },
        };
    }

    public static void WriteTokenizer(string folder)
    {
        var tokenizer = Tokenizer();
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"eos_token": "<|end|>", "bos_token": null, "pad_token": null}""");
    }
}
