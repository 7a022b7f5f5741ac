using Rft.Rewards;

namespace Rft.Runtime.Tests.Rewards;

public class AllocationTests
{
    private const string Completion =
        "<think>She sells 16 - 3 - 4 = 9 eggs at $2, so 9 * 2 = 18.</think>\n<answer>\\boxed{\\frac{36}{2}}</answer>\n#### 1,234.50";

    [Fact]
    public void The_reward_helpers_allocate_nothing()
    {
        float sink = Run(Completion); // first calls JIT-compile and run static constructors
        long allocated = Allocations.LeastOf(() =>
        {
            for (int i = 0; i < 5_000; i++) sink += Run(Completion);
        });

        Assert.Equal(15_001 * 8f - 0.5f * 15_001, sink);
        Assert.Equal(0, allocated);
    }

    // Every helper once; returns 8 when all succeed, minus the overlong penalty of 0.5.
    private static float Run(ReadOnlySpan<char> text)
    {
        float score = 0;
        if (FinalAnswer.TryExtractGsm8k(text, out var gsm8k) && NumericAnswer.Matches(gsm8k, 1) == false
            && NumericAnswer.AreEquivalent(gsm8k, "1234.5")) score++;
        if (FinalAnswer.TryExtractAnswerTag(text, out var tagged) && FinalAnswer.TryExtractBoxed(tagged, out var boxed)
            && NumericAnswer.Matches(boxed, 18)) score++;
        if (FinalAnswer.TryExtractLastNumber(text, out var last) && NumericAnswer.TryParse(last, out var value) && value.ToDouble() == 1234.5) score++;
        if (FinalAnswer.TryExtractLastNumber(text[..text.IndexOf("</think>")], out last) && NumericAnswer.Matches(last, 18)) score++;
        if (FormatCheck.HasTagsInOrder(text, "think", "answer")) score++;
        if (!FormatCheck.MatchesLayout(text, "think", "answer")) score++;
        if (FormatCheck.CountOpenings(text, "answer") == 1) score++;
        if (FinalAnswer.TryExtractBetween(text, "<think>", "</think>", out var thought) && thought.Length > 0) score++;
        return score + OverlongPenalty.Compute(18, maxLength: 20, buffer: 4);
    }
}
