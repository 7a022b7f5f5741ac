using System.Globalization;
using MessagePack;

namespace Rft.Data.Curricula;

/// <summary>
/// The value that puts a record in a stage or a category: a number (an int, an enum's value, a bool as 0/1) or
/// a text (how JSON Lines datasets name their categories). Numbers order numerically and texts ordinally
/// (every number before every text); an int and a string convert to a key implicitly, so <c>r =&gt; r.Digits</c>
/// and <c>r =&gt; r.Category</c> are both key selectors.
/// </summary>
public readonly struct CurriculumKey : IEquatable<CurriculumKey>, IComparable<CurriculumKey>
{
    private readonly string? _text;
    private readonly int _number;

    public CurriculumKey(int number)
    {
        _number = number;
        _text = null;
    }

    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public CurriculumKey(string? text)
    {
        _text = text ?? throw new ArgumentNullException(nameof(text),
            "A record's curriculum key is null: every record needs a value of the key member (a JSON Lines row without that field binds it to null).");
        _number = 0;
    }

    /// <summary>True for a text key, false for a number.</summary>
    public bool IsText => _text is not null;

    /// <summary>The number of a numeric key.</summary>
    /// <exception cref="InvalidOperationException">The key is a text.</exception>
    public int Number => _text is null ? _number : throw new InvalidOperationException($"The curriculum key '{_text}' is a text, not a number.");

    /// <summary>The text of a text key.</summary>
    /// <exception cref="InvalidOperationException">The key is a number.</exception>
    public string Text => _text ?? throw new InvalidOperationException($"The curriculum key {_number} is a number, not a text.");

    public static implicit operator CurriculumKey(int number) => new(number);

    public static implicit operator CurriculumKey(string? text) => new(text);

    /// <summary>The values of <typeparamref name="TEnum"/> as keys (<c>(int)value</c>) with their member names, in value order; an alias keeps the first name.</summary>
    public static IReadOnlyList<(CurriculumKey Key, string Name)> NamesOf<TEnum>() where TEnum : struct, Enum
    {
        var names = new List<(CurriculumKey, string)>();
        var seen = new HashSet<int>();
        foreach (var value in Enum.GetValues<TEnum>())
        {
            int number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
            if (seen.Add(number)) names.Add((number, value.ToString()));
        }

        return names;
    }

    public bool Equals(CurriculumKey other) => _text is null
        ? other._text is null && _number == other._number
        : string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is CurriculumKey other && Equals(other);

    public override int GetHashCode() => _text is null ? _number : StringComparer.Ordinal.GetHashCode(_text);

    public int CompareTo(CurriculumKey other)
    {
        if (_text is null) return other._text is null ? _number.CompareTo(other._number) : -1;
        return other._text is null ? 1 : string.CompareOrdinal(_text, other._text);
    }

    public static bool operator ==(CurriculumKey left, CurriculumKey right) => left.Equals(right);

    public static bool operator !=(CurriculumKey left, CurriculumKey right) => !left.Equals(right);

    public static bool operator <(CurriculumKey left, CurriculumKey right) => left.CompareTo(right) < 0;

    public static bool operator >(CurriculumKey left, CurriculumKey right) => left.CompareTo(right) > 0;

    /// <summary>The number as a double for a metric (metrics are numbers), NaN for a text key.</summary>
    public double MetricValue => _text is null ? _number : double.NaN;

    /// <summary>The number in invariant digits, or the text as it is.</summary>
    public override string ToString() => _text ?? _number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes a number as a MessagePack integer and a text as a string (a state of int keys reads as before).</summary>
    internal void Write(ref MessagePackWriter writer)
    {
        if (_text is null) writer.Write(_number);
        else writer.Write(_text);
    }

    internal static CurriculumKey Read(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.String ? new CurriculumKey(reader.ReadString()) : new CurriculumKey(reader.ReadInt32());
}
