using Rft.Rewards;

namespace Rft.Runtime.Tests.Rewards;

public class FinalAnswerTests
{
    private static string? LastNumber(string text) => FinalAnswer.TryExtractLastNumber(text, out var answer) ? answer.ToString() : null;

    private static string? Boxed(string text) => FinalAnswer.TryExtractBoxed(text, out var answer) ? answer.ToString() : null;

    [Theory]
    [InlineData("so the total is 1,000.50.", "1,000.50")]
    [InlineData("so the total is 18.", "18")]
    [InlineData("I think 3/4 of them", "3/4")]
    [InlineData("x = -3", "-3")]
    [InlineData("(-7)", "-7")]
    [InlineData("5-3", "3")]
    [InlineData("a list: 1,2,3", "3")]
    [InlineData("It costs $1,234,567 in total", "1,234,567")]
    [InlineData("we get 12 apples and drink H2O", "12")]
    [InlineData("version mp3 after 40 tries", "40")]
    [InlineData("The run was 5km long", "5")]
    [InlineData("She came 3rd", "3")]
    [InlineData("0.5", "0.5")]
    [InlineData("is 1.000,5", "5")]
    [InlineData("1,0000", "0000")]
    [InlineData("pi is about 3.14!", "3.14")]
    [InlineData("ratio 10/20/30", "20/30")]
    [InlineData("up +4", "+4")]
    public void The_last_number_outside_words_is_extracted(string text, string expected) =>
        Assert.Equal(expected, LastNumber(text));

    [Theory]
    [InlineData("")]
    [InlineData("no number at all")]
    [InlineData("only words like H2O and x86")]
    [InlineData("the_var_12")]
    public void No_number_gives_false(string text) => Assert.Null(LastNumber(text));

    [Theory]
    [InlineData("The answer is \\boxed{42}.", "42")]
    [InlineData("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}")]
    [InlineData("first \\boxed{1} then \\boxed{ 2 }", "2")]
    [InlineData("\\boxed{\\boxed{5}}", "5")]
    [InlineData("\\boxed{x^{2}} and \\fbox{7}", "7")]
    [InlineData("\\fbox{7} and \\boxed{{8}}", "{8}")]
    public void The_last_box_is_extracted_with_balanced_braces(string text, string expected) =>
        Assert.Equal(expected, Boxed(text));

    [Theory]
    [InlineData("no box")]
    [InlineData("\\boxed{\\frac{1}{2}")]
    [InlineData("\\boxed 5")]
    public void A_missing_or_unclosed_box_gives_false(string text) => Assert.Null(Boxed(text));

    [Fact]
    public void A_boxed_fraction_compares_as_a_number()
    {
        Assert.True(FinalAnswer.TryExtractBoxed("so \\boxed{\\frac{1}{2}}", out var answer));
        Assert.True(NumericAnswer.AreEquivalent(answer, "0.5"));
    }

    [Fact]
    public void The_gsm8k_marker_takes_the_rest_of_its_line()
    {
        Assert.True(FinalAnswer.TryExtractGsm8k("He pays 2 * 3 = 6.\n#### 1,234\n", out var answer));
        Assert.Equal("1,234", answer.ToString());
        Assert.True(FinalAnswer.TryExtractGsm8k("#### 1\n#### -5", out answer));
        Assert.Equal("-5", answer.ToString());
        Assert.False(FinalAnswer.TryExtractGsm8k("#### \n", out _));
        Assert.False(FinalAnswer.TryExtractGsm8k("the answer is 5", out _));
    }

    [Fact]
    public void The_answer_tag_takes_the_last_closed_block()
    {
        Assert.True(FinalAnswer.TryExtractAnswerTag("<answer>1</answer> wait <answer> 2 </answer>", out var answer));
        Assert.Equal("2", answer.ToString());
        Assert.False(FinalAnswer.TryExtractAnswerTag("<answer>1", out _));
        Assert.False(FinalAnswer.TryExtractAnswerTag("</answer>1", out _));
        Assert.True(FinalAnswer.TryExtractBetween("[[7]]", "[[", "]]", out answer));
        Assert.Equal("7", answer.ToString());
    }
}
