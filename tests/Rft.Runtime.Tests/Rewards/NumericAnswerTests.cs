using Rft.Rewards;

namespace Rft.Runtime.Tests.Rewards;

public class NumericAnswerTests
{
    [Theory]
    [InlineData("1,234", "1234")]
    [InlineData("1,000.50", "1000.5")]
    [InlineData("3/4", "0.75")]
    [InlineData("\\frac{3}{4}", "0.75")]
    [InlineData("\\dfrac{1}{2}", "0.5")]
    [InlineData("-\\frac{1}{2}", "-0.5")]
    [InlineData("6/8", "3/4")]
    [InlineData("-0", "0")]
    [InlineData("+0.0", "-0.00")]
    [InlineData("18", "18.0")]
    [InlineData("18.00", "18")]
    [InlineData("+7", "7")]
    [InlineData("$18", "18")]
    [InlineData("\\$1,234.5", "1234.50")]
    [InlineData("-$5", "-5")]
    [InlineData("$-5", "-5")]
    [InlineData("50%", "50")]
    [InlineData("50\\%", "50")]
    [InlineData(" 42. ", "42")]
    [InlineData(".5", "1/2")]
    [InlineData("1,234,567", "1234567")]
    [InlineData("\u22123", "-3")]
    [InlineData("0.1", "1/10")]
    [InlineData("999999999999999999", "999999999999999999.000")]
    public void Equal_values_written_differently_are_equivalent(string left, string right)
    {
        Assert.True(NumericAnswer.AreEquivalent(left, right), $"{left} = {right}");
        Assert.True(NumericAnswer.AreEquivalent(right, left), $"{right} = {left}");
    }

    [Theory]
    [InlineData("1,234", "123.4")]
    [InlineData("3/4", "0.74")]
    [InlineData("-5", "5")]
    [InlineData("0.3333333333", "1/3")]
    [InlineData("100", "1000")]
    [InlineData("0.5", "5")]
    public void Different_values_are_not_equivalent(string left, string right) =>
        Assert.False(NumericAnswer.AreEquivalent(left, right), $"{left} != {right}");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc")]
    [InlineData("1,23")]
    [InlineData("12,34,567")]
    [InlineData("1234,567")]
    [InlineData("1.2.3")]
    [InlineData("5/0")]
    [InlineData("3/")]
    [InlineData("--3")]
    [InlineData("5 apples")]
    [InlineData("1e5")]
    [InlineData("\\frac{1}{")]
    [InlineData("1234567890123456789")]
    [InlineData("0.0000000000000000001")]
    public void Text_that_is_not_one_number_does_not_parse(string text) =>
        Assert.False(NumericAnswer.TryParse(text, out _), text);

    [Fact]
    public void Parsed_values_are_reduced_fractions()
    {
        Assert.True(NumericAnswer.TryParse("1,000.50", out var value));
        Assert.Equal((Int128)2001, value.Numerator);
        Assert.Equal((Int128)2, value.Denominator);
        Assert.False(value.IsInteger);
        Assert.Equal(1000.5, value.ToDouble());
        Assert.Equal("2001/2", value.ToString());

        Assert.True(NumericAnswer.TryParse("-12.000", out value));
        Assert.True(value.IsInteger);
        Assert.Equal((ExactNumber)(-12), value);
        Assert.Equal(default, ExactNumber.FromFraction(0, -7));
    }

    [Fact]
    public void An_integer_answer_matches_a_record_field()
    {
        int answer = 1234;
        Assert.True(NumericAnswer.Matches("1,234.0", answer));
        Assert.False(NumericAnswer.Matches("1,235", answer));
        Assert.False(NumericAnswer.Matches("twelve", answer));
    }
}
