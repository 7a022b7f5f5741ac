using Rft.Text;

namespace Rft.Runtime.Tests.Text;

public class CharTokenizerTests
{
    [Fact]
    public void From_corpus_orders_the_alphabet_ordinally_after_the_special_tokens()
    {
        var tokenizer = CharTokenizer.FromCorpus(["12+3=15", "7-2=5"]);

        Assert.Equal("+-12357=", tokenizer.Alphabet);
        Assert.Equal(3 + 8, tokenizer.VocabSize);
        Assert.Equal((0, 1, 2), (tokenizer.PadId, tokenizer.BosId, tokenizer.EosId));
        Span<int> ids = stackalloc int[3];
        Assert.Equal(3, tokenizer.Encode("+=7", ids));
        Assert.Equal(new[] { 3, 10, 9 }, ids.ToArray());
    }

    [Fact]
    public void Decode_inverts_encode_and_skips_special_tokens()
    {
        var tokenizer = new CharTokenizer("0123456789+-= ");
        const string text = "12 + 30 = 42";
        var ids = new int[text.Length + 3];
        int count = tokenizer.Encode(text, ids.AsSpan(1));
        ids[0] = tokenizer.BosId;
        ids[count + 1] = tokenizer.EosId;
        ids[count + 2] = tokenizer.PadId;

        var chars = new char[ids.Length];
        int written = tokenizer.Decode(ids, chars);

        Assert.Equal(text, new string(chars, 0, written));
    }

    [Fact]
    public void Encode_names_an_unknown_character_and_its_index()
    {
        var tokenizer = new CharTokenizer("0123456789+");
        var ids = new int[8];

        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("12*3", ids));

        Assert.Contains("'*'", error.Message);
        Assert.Contains("index 2", error.Message);
        Assert.Contains("\"+0123456789\"", error.Message);   // the alphabet, ordinal order
    }

    [Fact]
    public void Encode_reports_the_full_length_when_the_buffer_is_short()
    {
        var tokenizer = new CharTokenizer("abc");
        var ids = new int[2];

        Assert.Equal(5, tokenizer.Encode("abcab", ids));
        Assert.Equal(new[] { 3, 4 }, ids);
    }

    [Fact]
    public void Decode_rejects_an_id_outside_the_vocabulary()
    {
        var tokenizer = new CharTokenizer("ab");
        var error = Assert.Throws<ArgumentException>(() => tokenizer.Decode([3, 9], new char[4]));
        Assert.Contains("Token id 9 at index 1", error.Message);
    }
}
