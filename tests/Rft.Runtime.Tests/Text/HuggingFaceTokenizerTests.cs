using System.Text;
using System.Text.Json;
using Rft.Text;
using Xunit.Abstractions;

namespace Rft.Runtime.Tests.Text;

public sealed class HuggingFaceTokenizerTests(ITestOutputHelper output)
{
    private const int EndOfText = 151643, ImStart = 151644, ImEnd = 151645, Think = 151667;

    private sealed record FixtureCase(string Text, int[] Ids);

    private sealed record Fixture(string Source, FixtureCase[] Cases);

    private static readonly Lazy<Fixture> Recorded = new(() =>
    {
        string path = Path.Combine(SharedFiles.RepositoryRoot, "tests", "Rft.Runtime.Tests", "Text", "Fixtures", "qwen3-ids.json");
        return JsonSerializer.Deserialize<Fixture>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    });

    [Fact]
    public void Every_fixture_string_encodes_to_the_ids_transformers_js_recorded()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;
        var cases = Recorded.Value.Cases;
        Assert.True(cases.Length >= 1000, $"the fixture holds {cases.Length} strings");

        var mismatches = new List<string>();
        foreach (var c in cases)
        {
            int[] ids = tokenizer.Encode(c.Text);
            if (!ids.AsSpan().SequenceEqual(c.Ids))
                mismatches.Add($"{JsonSerializer.Serialize(c.Text)}: expected [{string.Join(",", c.Ids)}], got [{string.Join(",", ids)}]");
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Length} strings differ from {Recorded.Value.Source}:\n" + string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Decoding_the_encoded_ids_gives_back_every_fixture_string()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;

        var failures = new List<string>();
        foreach (var c in Recorded.Value.Cases)
        {
            int[] ids = new int[c.Ids.Length + 1];
            int count = tokenizer.Encode(c.Text, ids);
            string withSpecials = tokenizer.Decode(ids.AsSpan(0, count), skipSpecialTokens: false);
            if (withSpecials != c.Text) failures.Add($"{JsonSerializer.Serialize(c.Text)} decoded as {JsonSerializer.Serialize(withSpecials)}");

            // Through ITokenizer's span API, which leaves special tokens out.
            var buffer = new char[Math.Max(1, count * tokenizer.MaxCharsPerToken)];
            int written = ((ITokenizer)tokenizer).Decode(ids.AsSpan(0, count), buffer);
            string expected = c.Text;
            foreach (var (content, id) in tokenizer.AddedTokens)
                if (tokenizer.IsSpecial(id)) expected = expected.Replace(content, "", StringComparison.Ordinal);
            if (new string(buffer, 0, written) != expected)
                failures.Add($"{JsonSerializer.Serialize(c.Text)} span-decoded as {JsonSerializer.Serialize(new string(buffer, 0, written))}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} strings do not round-trip:\n" + string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Added_tokens_in_text_map_to_their_ids_and_only_special_ones_are_skipped_when_decoding()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;

        Assert.Equal([ImStart], tokenizer.Encode("<|im_start|>"));
        Assert.Equal([EndOfText], tokenizer.Encode("<|endoftext|>"));
        int[] ids = tokenizer.Encode("<|im_start|>user\n<think>hi</think><|im_end|>");
        Assert.Equal(ImStart, ids[0]);
        Assert.Equal(ImEnd, ids[^1]);
        Assert.Contains(Think, ids);
        Assert.Equal(ImStart, tokenizer.TokenToId("<|im_start|>"));

        // A near miss is ordinary text.
        Assert.DoesNotContain(ImStart, tokenizer.Encode("<|IM_START|>"));

        Assert.True(tokenizer.IsSpecial(ImStart));
        Assert.False(tokenizer.IsSpecial(Think));
        Assert.Equal("user\n<think>hi</think>", tokenizer.Decode(ids));
    }

    [Fact]
    public void End_pad_and_begin_ids_come_from_tokenizer_config()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;

        Assert.Equal(ImEnd, tokenizer.EosId);              // eos_token "<|im_end|>"
        Assert.Equal(EndOfText, tokenizer.PadId);          // pad_token "<|endoftext|>"
        Assert.False(tokenizer.HasBosToken);               // bos_token null
        Assert.Equal(tokenizer.PadId, tokenizer.BosId);
        Assert.Equal([ImEnd], tokenizer.StopIds);
        Assert.Equal(151_669, tokenizer.VocabSize);        // 151,643 BPE tokens and 26 added
    }

    [Fact]
    public void Encode_reports_the_full_count_when_the_buffer_is_short_and_normalizes_to_nfc()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;

        int[] all = tokenizer.Encode("The quick brown fox jumps over the lazy dog.");
        Span<int> three = stackalloc int[3];
        Assert.Equal(all.Length, tokenizer.Encode("The quick brown fox jumps over the lazy dog.", three));
        Assert.Equal(all.AsSpan(0, 3), three);

        Assert.Equal(tokenizer.Encode("caf\u00E9"), tokenizer.Encode("cafe\u0301"));

        // 𝟏 (U+1D7CF) is a digit outside the BMP: the split regex must see one \p{N}, not two surrogates,
        // so the space stays a token of its own (220) as in the reference.
        Assert.Equal([220, 56252, 253, 237], tokenizer.Encode(" \U0001D7CF"));
        var loneSurrogate = Assert.Throws<ArgumentException>(() => tokenizer.Encode("ab\uD800c"));
        Assert.Contains("U+D800 at index 2", loneSurrogate.Message);
        Assert.Throws<ArgumentException>(() => tokenizer.Decode([tokenizer.VocabSize]));

        // 𝟏 is four UTF-8 bytes in three tokens; a prefix that stops inside the sequence decodes without throwing.
        int[] one = tokenizer.Encode("\U0001D7CF");
        Assert.Equal([56252, 253, 237], one);
        Assert.Equal("\U0001D7CF", tokenizer.Decode(one));
        Assert.DoesNotContain("\U0001D7CF", tokenizer.Decode(one.AsSpan(0, 2)));
        Assert.Throws<ArgumentException>(() => ((ITokenizer)tokenizer).Decode(tokenizer.Encode("hello world"), new char[2]));
    }

    [Fact]
    public void A_chatml_prompt_renders_and_encodes_like_the_qwen_template()
    {
        string prompt = ChatTemplate.ChatMl.Render(
            [ChatMessage.System("You are helpful."), ChatMessage.User("What is 2+2?"), ChatMessage.Assistant("4"), ChatMessage.User("And 3+3?")]);
        Assert.Equal(
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
            "<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n", prompt);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n", ChatTemplate.ChatMl.Render("Hi", addGenerationPrompt: false));
        Assert.Throws<ArgumentException>(() => ChatTemplate.ChatMl.Render([new ChatMessage("to user", "x")]));

        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;
        int[] ids = tokenizer.Encode(ChatTemplate.ChatMl.Render("Hi"));
        Assert.Equal([ImStart, 872, 198, 13048, ImEnd, 198, ImStart, 77091, 198], ids);   // transformers.js ids of the same text
        Assert.Equal(tokenizer.EosId, tokenizer.TokenToId(ChatTemplate.ChatMl.EndOfTurn));
    }
}
