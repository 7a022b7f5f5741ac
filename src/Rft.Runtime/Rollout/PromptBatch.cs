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
    public void Add(ReadOnlySpan<char> prompt, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (Count == MaxPrompts) throw new InvalidOperationException($"The prompt batch already holds its maximum of {MaxPrompts} prompts.");

        var slot = _tokens.AsSpan(Count * MaxPromptTokens, MaxPromptTokens);
        int bos = tokenizer.HasBosToken ? 1 : 0;
        if (bos == 1) slot[0] = tokenizer.BosId;
        int length = bos + tokenizer.Encode(prompt, slot[bos..]);
        if (length == 0)
            throw new ArgumentException("The prompt is empty and the tokenizer has no BOS token: the policy needs at least one prompt token.", nameof(prompt));
        if (length > MaxPromptTokens)
        {
            throw new ArgumentException(
                $"prompt of {length} tokens exceeds MaxPromptTokens = {MaxPromptTokens} (set Rft:MaxPromptTokens)", nameof(prompt));
        }

        _lengths[Count++] = length;
        LongestLength = Math.Max(LongestLength, length);
    }

    /// <summary>The tokens of prompt <paramref name="index"/>, BOS first when the tokenizer has one.</summary>
    public ReadOnlySpan<int> Tokens(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _tokens.AsSpan(index * MaxPromptTokens, _lengths[index]);
    }
}
