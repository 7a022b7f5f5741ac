using System.Text.Json.Nodes;
using Rft.Text;

namespace Rft.Runtime.Tests.Text;

/// <summary>Small hand-written tokenizer.json files: configuration precedence and clear errors for bad files.</summary>
public sealed class HuggingFaceTokenizerFormatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rft-hftok-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static JsonObject TinyTokenizer()
    {
        var tokenizer = Models.TinyHuggingFaceFiles.Tokenizer();
        // Both notations of a merge: "a b" and ["a", "b"].
        tokenizer["model"]!["merges"] = new JsonArray("h e", new JsonArray("he", "l"));
        return tokenizer;
    }

    private string Write(JsonNode tokenizer, string? tokenizerConfig = null, string? generationConfig = null)
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), tokenizer.ToJsonString());
        if (tokenizerConfig is not null) File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), tokenizerConfig);
        if (generationConfig is not null) File.WriteAllText(Path.Combine(_folder, "generation_config.json"), generationConfig);
        return _folder;
    }

    [Fact]
    public void Both_merge_forms_load_and_generation_config_overrides_the_end_token()
    {
        var tokenizer = HuggingFaceTokenizer.Load(Write(TinyTokenizer(),
            """{"eos_token": {"content": "<|end|>"}, "pad_token": null, "bos_token": null}""",
            """{"eos_token_id": [5, 258]}"""));

        // ids: byte b is id b, then "he" 256, "hel" 257, <|end|> 258; " " is byte 32.
        Assert.Equal([257, 'l', 'o', ' ', 258], tokenizer.Encode("hello <|end|>"));
        Assert.Equal(5, tokenizer.EosId);
        Assert.Equal([5, 258], tokenizer.StopIds);
        Assert.Equal(5, tokenizer.PadId);
        Assert.False(tokenizer.HasBosToken);
        Assert.Equal("hello ", tokenizer.Decode(tokenizer.Encode("hello <|end|>")));
    }

    [Fact]
    public void Without_generation_config_the_end_token_comes_from_tokenizer_config()
    {
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(Write(TinyTokenizer(), """{"eos_token": "<|end|>", "bos_token": "h"}"""), "tokenizer.json"));
        Assert.Equal(258, tokenizer.EosId);
        Assert.Equal(258, tokenizer.PadId);
        Assert.True(tokenizer.HasBosToken);
        Assert.Equal('h', tokenizer.BosId);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "merges missing", "model.merges is missing" },
        { "merge with three parts", "model.merges[0] is \"h e x\"" },
        { "merge of unknown tokens", "model.merges[1] merges \"he\" and \"zz\"" },
        { "vocab id not a number", "model.vocab[\"he\"] is \"x\"" },
        { "not byte-level", "only byte-level BPE" },
        { "word piece", "model.type is \"WordPiece\"" },
        { "added token without id", "added_tokens[0].id is missing" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_tokenizer_json_names_the_file_and_the_field(string defect, string expected)
    {
        var json = TinyTokenizer();
        var model = json["model"]!.AsObject();
        switch (defect)
        {
            case "merges missing": model.Remove("merges"); break;
            case "merge with three parts": model["merges"] = new JsonArray("h e x"); break;
            case "merge of unknown tokens": model["merges"] = new JsonArray("h e", new JsonArray("he", "zz")); break;
            case "vocab id not a number": model["vocab"]!["he"] = "x"; break;
            case "not byte-level": json["pre_tokenizer"] = new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = @"\S+" } }; json.Remove("decoder"); break;
            case "word piece": model["type"] = "WordPiece"; break;
            case "added token without id": json["added_tokens"]![0]!.AsObject().Remove("id"); break;
        }

        string folder = Write(json, """{"eos_token": "<|end|>"}""");
        var error = Assert.Throws<FormatException>(() => HuggingFaceTokenizer.Load(folder));
        Assert.Contains(Path.Combine(folder, "tokenizer.json"), error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Invalid_json_and_a_missing_end_token_are_reported_with_the_file()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0,}}");
        var error = Assert.Throws<FormatException>(() => HuggingFaceTokenizer.Load(_folder));
        Assert.Contains("tokenizer.json: not valid JSON (line 1", error.Message);

        var noEnd = Assert.Throws<FormatException>(() => HuggingFaceTokenizer.Load(Write(TinyTokenizer(), """{"eos_token": null}""")));
        Assert.Contains("no end token", noEnd.Message);

        var badEnd = Assert.Throws<FormatException>(() => HuggingFaceTokenizer.Load(Write(TinyTokenizer(), """{"eos_token": "<|nope|>"}""")));
        Assert.Contains("tokenizer_config.json: eos_token \"<|nope|>\"", badEnd.Message);
    }
}
