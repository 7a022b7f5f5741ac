using Rft.Rewards;

namespace Rft.Runtime.Tests.Rewards;

public class OverlongPenaltyTests
{
    // L_max = 20, L_cache = 4: free up to 16 tokens, then -1/4 per token to -1 at 20, -1 beyond.
    [Theory]
    [InlineData(0, 0f)]
    [InlineData(16, 0f)]
    [InlineData(17, -0.25f)]
    [InlineData(18, -0.5f)]
    [InlineData(20, -1f)]
    [InlineData(21, -1f)]
    [InlineData(1000, -1f)]
    public void The_penalty_is_zero_then_linear_to_minus_one(int length, float expected) =>
        Assert.Equal(expected, OverlongPenalty.Compute(length, maxLength: 20, buffer: 4), 6);

    [Fact]
    public void A_buffer_as_long_as_the_limit_penalises_from_the_first_token() =>
        Assert.Equal(-0.5f, OverlongPenalty.Compute(5, maxLength: 10, buffer: 10), 6);

    [Theory]
    [InlineData(-1, 10, 2)]
    [InlineData(5, 0, 1)]
    [InlineData(5, 10, 0)]
    [InlineData(5, 10, 11)]
    public void Invalid_lengths_are_rejected(int length, int maxLength, int buffer) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OverlongPenalty.Compute(length, maxLength, buffer));
}
