namespace Rft.Rewards;

/// <summary>
/// DAPO's soft overlong punishment (Yu et al., "DAPO: An Open-Source LLM Reinforcement Learning System
/// at Scale", arXiv:2503.14476, section 3.4, "Overlong Reward Shaping"): with maximum length
/// L_max and buffer L_cache,
/// <code>
/// R_length(y) = 0                                   if |y| &lt;= L_max - L_cache
///             = ((L_max - L_cache) - |y|) / L_cache  if L_max - L_cache &lt; |y| &lt;= L_max
///             = -1                                  if L_max &lt; |y|
/// </code>
/// added to the correctness reward, so a response is penalised more the further it runs into the
/// buffer before the hard limit. verl's DAPO recipe calls L_cache <c>overlong_buffer.len</c>, TRL's
/// <c>get_soft_overlong_punishment</c> calls it <c>soft_punish_cache</c>.
/// </summary>
public static class OverlongPenalty
{
    /// <summary>The penalty in [-1, 0] for a response of <paramref name="length"/> tokens.</summary>
    /// <param name="length">The response length in tokens (<see cref="Completion.TokenCount"/>).</param>
    /// <param name="maxLength">L_max: the longest response the rollout allows.</param>
    /// <param name="buffer">L_cache: the soft window before L_max, 1 to <paramref name="maxLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative, or the buffer is not in 1..maxLength.</exception>
    public static float Compute(int length, int maxLength, int buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (buffer < 1 || buffer > maxLength)
            throw new ArgumentOutOfRangeException(nameof(buffer), buffer, $"The overlong buffer (L_cache) must be between 1 and the maximum length {maxLength}.");

        int softLimit = maxLength - buffer;
        if (length <= softLimit) return 0f;
        if (length > maxLength) return -1f;
        return (float)(softLimit - length) / buffer;
    }
}
