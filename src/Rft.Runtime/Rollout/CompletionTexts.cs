using Rft.Text;

namespace Rft.Rollout;

/// <summary>
/// Decoded completions in one character arena allocated once (rows x max new tokens x chars per token);
/// <see cref="Decode"/> overwrites it, and each <see cref="Completion"/> is a slice of it, valid until the
/// next <c>Decode</c>.
/// </summary>
public sealed class CompletionTexts
{
    private readonly ITokenizer _tokenizer;
    private readonly char[] _arena;
    private readonly Memory<char> _memory;
    private readonly int _stride;
    private readonly int[] _lengths;
    private readonly int[] _tokenCounts;
    private readonly bool[] _finished;

    public CompletionTexts(int maxRows, int maxNewTokens, ITokenizer tokenizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 1);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _stride = maxNewTokens * tokenizer.MaxCharsPerToken;
        _arena = new char[maxRows * _stride];
        _memory = _arena;
        _lengths = new int[maxRows];
        _tokenCounts = new int[maxRows];
        _finished = new bool[maxRows];
        MaxRows = maxRows;
    }

    public int MaxRows { get; }

    /// <summary>Rows decoded by the last <see cref="Decode"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Decodes every row of <paramref name="rollout"/> (special tokens skipped).</summary>
    /// <exception cref="ArgumentException">The rollout has more rows or longer completions than this arena holds.</exception>
    public void Decode(RolloutBatch rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        if (rollout.Rows > MaxRows)
            throw new ArgumentException($"The rollout has {rollout.Rows} rows but the completion arena holds {MaxRows}.", nameof(rollout));

        for (int row = 0; row < rollout.Rows; row++)
        {
            var tokens = rollout.CompletionTokens(row);
            if (tokens.Length * _tokenizer.MaxCharsPerToken > _stride)
                throw new ArgumentException($"Row {row} has {tokens.Length} tokens but the completion arena holds {_stride / _tokenizer.MaxCharsPerToken} per row.", nameof(rollout));
            _lengths[row] = _tokenizer.Decode(tokens, _arena.AsSpan(row * _stride, _stride));
            _tokenCounts[row] = rollout.CompletionTokenCount(row);
            _finished[row] = rollout.Finished(row);
        }

        Count = rollout.Rows;
    }

    /// <summary>Row <paramref name="row"/>'s completion: text slice, stop flag and token count. Allocates nothing.</summary>
    public Completion this[int row]
    {
        get
        {
            if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside the {Count} decoded completions.");
            return new Completion(_memory.Slice(row * _stride, _lengths[row]), _finished[row], _tokenCounts[row]);
        }
    }
}
