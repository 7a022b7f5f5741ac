using Rft.Rewards;

namespace Rft.Runtime.Tests.Rewards;

public class FormatCheckTests
{
    [Theory]
    [InlineData("<think>a</think><answer>b</answer>", true)]
    [InlineData("Sure. <think>a</think>\nso <answer>b</answer> done", true)]
    [InlineData("<answer>b</answer><think>a</think>", false)]
    [InlineData("<think>a</think>", false)]
    [InlineData("<think>a<answer>b</answer></think>", false)]
    [InlineData("<think>a</think><answer>b", false)]
    [InlineData("<thinking>a</thinking><answer>b</answer>", false)]
    public void Tags_must_appear_in_order_each_closed(string text, bool expected) =>
        Assert.Equal(expected, FormatCheck.HasTagsInOrder(text, "think", "answer"));

    [Theory]
    [InlineData("<think>a</think><answer>b</answer>", true)]
    [InlineData("  <think>\na\n</think>\n<answer> 5 </answer>\n", true)]
    [InlineData("Sure. <think>a</think><answer>b</answer>", false)]
    [InlineData("<think>a</think> so <answer>b</answer>", false)]
    [InlineData("<think>a</think><answer>b</answer> trailing", false)]
    [InlineData("<think>a <think> b</think><answer>c</answer>", false)]
    [InlineData("<answer>b</answer><think>a</think>", false)]
    public void The_strict_layout_allows_only_white_space_outside_the_blocks(string text, bool expected) =>
        Assert.Equal(expected, FormatCheck.MatchesLayout(text, "think", "answer"));

    [Fact]
    public void Openings_are_counted()
    {
        Assert.Equal(2, FormatCheck.CountOpenings("<answer>1</answer><answer>2</answer>", "answer"));
        Assert.Equal(0, FormatCheck.CountOpenings("answer </answer>", "answer"));
    }
}
