using Rft.Rollout;
using Rft.Runtime.Tests.Text;
using Rft.Text;

namespace Rft.Runtime.Tests.Rollout;

/// <summary>Prompts longer than MaxPromptTokens: an error, skipped, or truncated on the left keeping BOS, and counted.</summary>
public class PromptLengthGuardTests
{
    private static readonly CharTokenizer Chars = new("0123456789+=");

    private static int[] Ids(ITokenizer tokenizer, string text)
    {
        var ids = new int[text.Length];
        tokenizer.Encode(text, ids);
        return ids;
    }

    [Fact]
    public void Error_stops_at_an_overlong_prompt_naming_its_length_the_limit_and_the_options()
    {
        var batch = new PromptBatch(4, 5);
        var error = Assert.Throws<ArgumentException>(() => batch.Add("12+34=", Chars));
        Assert.Contains("prompt of 7 tokens exceeds MaxPromptTokens = 5 (set Rft:MaxPromptTokens, or Rft:OverlongPrompts = Skip or TruncateLeft)", error.Message);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void Truncate_left_keeps_bos_first_and_the_prompts_last_tokens()
    {
        var batch = new PromptBatch(4, 5);
        Assert.Equal(PromptFit.Whole, batch.Add("1+2=", Chars, OverlongPrompts.TruncateLeft));
        Assert.Equal(PromptFit.Truncated, batch.Add("123+456=", Chars, OverlongPrompts.TruncateLeft));

        Assert.Equal(new[] { Chars.BosId }.Concat(Ids(Chars, "1+2=")), batch.Tokens(0).ToArray());
        Assert.Equal(new[] { Chars.BosId }.Concat(Ids(Chars, "456=")), batch.Tokens(1).ToArray());
        Assert.Equal(5, batch.LongestLength);

        // Without a BOS token every slot holds prompt tokens: the last MaxPromptTokens of them.
        var noBos = new NoBosTokenizer(Chars);
        var plain = new PromptBatch(2, 5);
        Assert.Equal(PromptFit.Truncated, plain.Add("123+456=", noBos, OverlongPrompts.TruncateLeft));
        Assert.Equal(Ids(noBos, "+456="), plain.Tokens(0).ToArray());
    }

    [Fact]
    public void Skip_leaves_the_batch_as_it_was()
    {
        var batch = new PromptBatch(4, 5);
        Assert.Equal(PromptFit.Skipped, batch.Add("123+456=", Chars, OverlongPrompts.Skip));
        Assert.Equal(0, batch.Count);
        Assert.Equal(PromptFit.Whole, batch.Add("1+2=", Chars, OverlongPrompts.Skip));
        Assert.Equal(new[] { Chars.BosId }.Concat(Ids(Chars, "1+2=")), batch.Tokens(0).ToArray());
    }

    [Fact]
    public void The_guard_counts_skips_and_truncations_per_step_and_over_the_run()
    {
        var batch = new PromptBatch(8, 5);
        var skip = new PromptLengthGuard(OverlongPrompts.Skip);
        Assert.False(skip.TryAdd(batch, "123+456=", Chars));
        Assert.True(skip.TryAdd(batch, "1+2=", Chars));
        Assert.False(skip.TryAdd(batch, "99+99=", Chars));
        var metrics = new double[2];
        skip.WriteMetrics(metrics);
        Assert.Equal(new[] { "prompts/skipped_overlong", "prompts/truncated" }, PromptLengthGuard.MetricNames);
        Assert.Equal(new[] { 2.0, 0.0 }, metrics);

        skip.Clear();
        Assert.True(skip.TryAdd(batch, "1=", Chars));
        skip.WriteMetrics(metrics);
        Assert.Equal(new[] { 0.0, 0.0 }, metrics);
        Assert.Equal(2, skip.TotalSkipped);

        var truncate = new PromptLengthGuard(OverlongPrompts.TruncateLeft);
        Assert.True(truncate.TryAdd(batch, "123+456=", Chars));
        truncate.WriteMetrics(metrics);
        Assert.Equal(new[] { 0.0, 1.0 }, metrics);

        // Under Error nothing is skipped or truncated: the metrics are NaN, left out of metrics.jsonl.
        new PromptLengthGuard(OverlongPrompts.Error).WriteMetrics(metrics);
        Assert.All(metrics, m => Assert.True(double.IsNaN(m)));
    }

    [Fact]
    public void Skipping_gives_up_after_too_many_overlong_prompts_in_a_row_saying_what_to_change()
    {
        var batch = new PromptBatch(2, 3);
        var guard = new PromptLengthGuard(OverlongPrompts.Skip, maxConsecutiveSkips: 3);
        Assert.False(guard.TryAdd(batch, "12345", Chars));
        Assert.True(guard.TryAdd(batch, "1", Chars));   // a prompt that fits resets the run of skips
        Assert.False(guard.TryAdd(batch, "12345", Chars));
        Assert.False(guard.TryAdd(batch, "12345", Chars));
        var error = Assert.Throws<InvalidOperationException>(() => guard.TryAdd(batch, "12345", Chars));
        Assert.Contains("3 prompts in a row were longer than MaxPromptTokens = 3 tokens and skipped (Rft:OverlongPrompts = Skip): raise Rft:MaxPromptTokens", error.Message);
    }
}
