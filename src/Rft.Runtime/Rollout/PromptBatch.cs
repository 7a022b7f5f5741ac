using Rft.Text;

namespace Rft.Rollout;

/// <summary>
/// The tokenized prompts of one rollout, each as BOS followed by its tokens, held in arrays allocated
/// once: filling a batch allocates nothing.
/// </summary>
public sealed class PromptBatch
{
    private readonly int[] _tokens;     // prompt i at [i * MaxPromptTokens, i * MaxPromptTokens + _lengths[i])
    private readonly int[] _lengths;
    private int[] _overlong = [];       // a prompt too long for its slot, encoded whole before truncation (grown on demand)

    public PromptBatch(int maxPrompts, int maxPromptTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPrompts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPromptTokens, 1);
        MaxPrompts = maxPrompts;
        MaxPromptTokens = maxPromptTokens;
        _tokens = new int[maxPrompts * maxPromptTokens];
        _lengths = new int[maxPrompts];
    }

    public int MaxPrompts { get; }

    /// <summary>Longest prompt in tokens, BOS included.</summary>
    public int MaxPromptTokens { get; }

    public int Count { get; private set; }

    /// <summary>Length in tokens of the longest prompt added, BOS included.</summary>
    public int LongestLength { get; private set; }

    public void Clear()
    {
        Count = 0;
        LongestLength = 0;
    }

    /// <summary>Appends BOS (when the tokenizer has one) and the tokens of <paramref name="prompt"/>.</summary>
    /// <exception cref="ArgumentException">The prompt is longer than <see cref="MaxPromptTokens"/> or holds a character the tokenizer cannot represent.</exception>
    /// <exception cref="InvalidOperationException">The batch already holds <see cref="MaxPrompts"/> prompts.</exception>
    public void Add(ReadOnlySpan<char> prompt, ITokenizer tokenizer) => Add(prompt, tokenizer, OverlongPrompts.Error);

    /// <summary>
    /// Appends BOS (when the tokenizer has one) and the tokens of <paramref name="prompt"/>; a prompt longer than
    /// <see cref="MaxPromptTokens"/> does what <paramref name="overlong"/> says: throw, leave the batch as it is
    /// (<see cref="PromptFit.Skipped"/>), or keep BOS and the prompt's last tokens (<see cref="PromptFit.Truncated"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is too long under <see cref="OverlongPrompts.Error"/>, or holds a character the tokenizer cannot represent.</exception>
    /// <exception cref="InvalidOperationException">The batch already holds <see cref="MaxPrompts"/> prompts.</exception>
    public PromptFit Add(ReadOnlySpan<char> prompt, ITokenizer tokenizer, OverlongPrompts overlong)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (Count == MaxPrompts) throw new InvalidOperationException($"The prompt batch already holds its maximum of {MaxPrompts} prompts.");

        var slot = _tokens.AsSpan(Count * MaxPromptTokens, MaxPromptTokens);
        int bos = tokenizer.HasBosToken ? 1 : 0;
        if (bos == 1) slot[0] = tokenizer.BosId;
        int length = bos + tokenizer.Encode(prompt, slot[bos..]);
        if (length == 0)
            throw new ArgumentException("The prompt is empty and the tokenizer has no BOS token: the policy needs at least one prompt token.", nameof(prompt));
        var fit = PromptFit.Whole;
        if (length > MaxPromptTokens)
        {
            switch (overlong)
            {
                case OverlongPrompts.Skip:
                    return PromptFit.Skipped;
                case OverlongPrompts.TruncateLeft:
                    // The whole prompt, then its last tokens after BOS: what the policy sees last is what it continues.
                    int tokens = length - bos, keep = MaxPromptTokens - bos;
                    if (_overlong.Length < tokens) _overlong = new int[Math.Max(tokens, 2 * _overlong.Length)];
                    tokenizer.Encode(prompt, _overlong.AsSpan(0, tokens));
                    _overlong.AsSpan(tokens - keep, keep).CopyTo(slot[bos..]);
                    length = MaxPromptTokens;
                    fit = PromptFit.Truncated;
                    break;
                case OverlongPrompts.Error:
                    throw new ArgumentException(
                        $"prompt of {length} tokens exceeds MaxPromptTokens = {MaxPromptTokens} (set Rft:MaxPromptTokens, or Rft:OverlongPrompts = Skip or TruncateLeft)", nameof(prompt));
                default:
                    throw new ArgumentOutOfRangeException(nameof(overlong), overlong, "OverlongPrompts must be Error, Skip or TruncateLeft.");
            }
        }

        _lengths[Count++] = length;
        LongestLength = Math.Max(LongestLength, length);
        return fit;
    }

    /// <summary>Appends a prompt already tokenized (another batch's <see cref="Tokens"/>).</summary>
    /// <exception cref="ArgumentException">The prompt is empty or longer than <see cref="MaxPromptTokens"/>.</exception>
    /// <exception cref="InvalidOperationException">The batch already holds <see cref="MaxPrompts"/> prompts.</exception>
    public void AddTokens(ReadOnlySpan<int> tokens)
    {
        if (Count == MaxPrompts) throw new InvalidOperationException($"The prompt batch already holds its maximum of {MaxPrompts} prompts.");
        if (tokens.IsEmpty || tokens.Length > MaxPromptTokens)
            throw new ArgumentException($"A prompt of {tokens.Length} tokens does not fit: 1 to {MaxPromptTokens} (MaxPromptTokens).", nameof(tokens));
        tokens.CopyTo(_tokens.AsSpan(Count * MaxPromptTokens, MaxPromptTokens));
        _lengths[Count++] = tokens.Length;
        LongestLength = Math.Max(LongestLength, tokens.Length);
    }

    /// <summary>The tokens of prompt <paramref name="index"/>, BOS first when the tokenizer has one.</summary>
    public ReadOnlySpan<int> Tokens(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _tokens.AsSpan(index * MaxPromptTokens, _lengths[index]);
    }
}
