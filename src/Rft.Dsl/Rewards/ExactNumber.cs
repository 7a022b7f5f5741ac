using System.Globalization;

namespace Rft.Rewards;

/// <summary>
/// A number as an exact, reduced fraction <c>Numerator / Denominator</c> (the denominator positive, the
/// two coprime), so that two numbers are equal exactly when their components are: <c>0.75</c>,
/// <c>3/4</c> and <c>\frac{3}{4}</c> are one value, and <c>-0</c> is <c>0</c>.
/// Made by <see cref="NumericAnswer.TryParse"/> or from an integer.
/// </summary>
public readonly struct ExactNumber : IEquatable<ExactNumber>
{
    private readonly Int128 _denominatorMinusOne;

    private ExactNumber(Int128 numerator, Int128 denominator)
    {
        Numerator = numerator;
        _denominatorMinusOne = denominator - 1;
    }

    /// <summary>The numerator, carrying the sign.</summary>
    public Int128 Numerator { get; }

    /// <summary>The denominator, always at least 1 (<c>default</c> is zero, <c>0/1</c>).</summary>
    public Int128 Denominator => _denominatorMinusOne + 1;

    /// <summary>True when the number is an integer.</summary>
    public bool IsInteger => _denominatorMinusOne == 0;

    /// <summary>The fraction <paramref name="numerator"/> / <paramref name="denominator"/>, reduced.</summary>
    /// <exception cref="DivideByZeroException">The denominator is zero.</exception>
    public static ExactNumber FromFraction(Int128 numerator, Int128 denominator)
    {
        if (denominator == 0) throw new DivideByZeroException("An exact number cannot have a zero denominator.");
        if (denominator < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var divisor = GreatestCommonDivisor(Int128.Abs(numerator), denominator);
        return new ExactNumber(numerator / divisor, denominator / divisor);
    }

    /// <summary>The integer <paramref name="value"/>.</summary>
    public static implicit operator ExactNumber(long value) => new(value, 1);

    /// <summary>The nearest <see cref="double"/>; for display and metrics, not for comparison.</summary>
    public double ToDouble() => (double)Numerator / (double)Denominator;

    public bool Equals(ExactNumber other) => Numerator == other.Numerator && _denominatorMinusOne == other._denominatorMinusOne;

    public override bool Equals(object? obj) => obj is ExactNumber other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Numerator, _denominatorMinusOne);

    public static bool operator ==(ExactNumber left, ExactNumber right) => left.Equals(right);

    public static bool operator !=(ExactNumber left, ExactNumber right) => !left.Equals(right);

    /// <summary>"n" for integers, "n/d" otherwise (invariant culture).</summary>
    public override string ToString() => IsInteger
        ? Numerator.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");

    private static Int128 GreatestCommonDivisor(Int128 a, Int128 b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a == 0 ? 1 : a;
    }
}
