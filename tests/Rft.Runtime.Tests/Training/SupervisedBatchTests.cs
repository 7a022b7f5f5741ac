using Rft.Rollout;
using Rft.Runtime.Tests.Text;
using Rft.Text;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

public class SupervisedBatchTests
{
    private static readonly CharTokenizer Chars = new("0123456789+=");

    private static long[] Row(Tensor t) => t[0].to_type(ScalarType.Int64).data<long>().ToArray();

    private static long[] Ids(string text)
    {
        var ids = new int[text.Length];
        Chars.Encode(text, ids);
        return ids.Select(i => (long)i).ToArray();
    }

    [Fact]
    public void With_a_bos_token_inputs_start_with_it_and_the_loss_covers_the_target_and_eos()
    {
        using var scope = NewDisposeScope();
        using var batch = new SupervisedBatch(2, 8);
        batch.Add("1+2=", "3", Chars);
        long bos = Chars.BosId, eos = Chars.EosId;
        var p = Ids("1+2=");
        Assert.Equal(new[] { bos, p[0], p[1], p[2], p[3], Ids("3")[0] }, Row(batch.InputIds));
        Assert.Equal(new[] { p[0], p[1], p[2], p[3], Ids("3")[0], eos }, Row(batch.Labels));
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1 }, Row(batch.LossMask));
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, Row(batch.PositionIds));
    }

    [Fact]
    public void Without_a_bos_token_inputs_start_with_the_prompt_and_the_loss_still_covers_the_target_and_eos()
    {
        using var scope = NewDisposeScope();
        using var batch = new SupervisedBatch(2, 8);
        var tokenizer = new NoBosTokenizer(Chars);
        batch.Add("1+2=", "3", tokenizer);
        long eos = Chars.EosId;
        var p = Ids("1+2=");
        long t = Ids("3")[0];
        Assert.Equal(new[] { p[0], p[1], p[2], p[3], t }, Row(batch.InputIds));
        Assert.Equal(new[] { p[1], p[2], p[3], t, eos }, Row(batch.Labels));
        Assert.Equal(new long[] { 0, 0, 0, 1, 1 }, Row(batch.LossMask));
        Assert.Throws<ArgumentException>(() => batch.Add("", "3", tokenizer));
    }

    [Fact]
    public void A_demonstration_that_does_not_fit_names_the_options_to_raise()
    {
        using var batch = new SupervisedBatch(1, 4);
        var error = Assert.Throws<ArgumentException>(() => batch.Add("1+2=", "123", Chars));
        Assert.Contains("Rft:MaxNewTokens", error.Message);
    }

    [Fact]
    public void Prompts_get_a_bos_token_only_when_the_tokenizer_has_one()
    {
        var prompts = new PromptBatch(2, 8);
        prompts.Add("1+2=", Chars);
        prompts.Add("1+2=", new NoBosTokenizer(Chars));
        Assert.Equal(Chars.BosId, prompts.Tokens(0)[0]);
        Assert.Equal(5, prompts.Tokens(0).Length);
        Assert.Equal(4, prompts.Tokens(1).Length);
        Assert.Equal(Ids("1+2=").Select(i => (int)i).ToArray(), prompts.Tokens(1).ToArray());
        Assert.Throws<ArgumentException>(() => new PromptBatch(1, 8).Add("", new NoBosTokenizer(Chars)));
    }
}
