using Rft.Text;

namespace Rft.Rollout;

/// <summary>
/// Adds prompts to a <see cref="PromptBatch"/> under a pipeline's <see cref="OverlongPrompts"/> setting and counts
/// the prompts it skipped or truncated, per step (<see cref="Clear"/> starts one) and over the run. Metrics:
/// <c>prompts/skipped_overlong</c> and <c>prompts/truncated</c> of the step, NaN (left out of metrics.jsonl)
/// under <see cref="OverlongPrompts.Error"/>, where a long prompt stops the run instead. Nothing allocates.
/// </summary>
public sealed class PromptLengthGuard
{
    private static readonly string[] Names = ["prompts/skipped_overlong", "prompts/truncated"];

    private readonly int _maxConsecutiveSkips;
    private int _consecutiveSkips;

    /// <param name="policy">What a prompt longer than the batch's MaxPromptTokens does.</param>
    /// <param name="maxConsecutiveSkips">
    /// Skips in a row after which drawing gives up (a limit far below the prompt lengths would otherwise draw forever);
    /// evaluation, which walks a finite set, passes <see cref="int.MaxValue"/>.
    /// </param>
    public PromptLengthGuard(OverlongPrompts policy, int maxConsecutiveSkips = 1000)
    {
        if (!Enum.IsDefined(policy)) throw new ArgumentOutOfRangeException(nameof(policy), policy, "OverlongPrompts must be Error, Skip or TruncateLeft.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConsecutiveSkips, 1);
        Policy = policy;
        _maxConsecutiveSkips = maxConsecutiveSkips;
    }

    public OverlongPrompts Policy { get; }

    /// <summary>Prompts skipped since <see cref="Clear"/>.</summary>
    public int Skipped { get; private set; }

    /// <summary>Prompts truncated since <see cref="Clear"/>.</summary>
    public int Truncated { get; private set; }

    /// <summary>Prompts skipped over the run.</summary>
    public long TotalSkipped { get; private set; }

    /// <summary>Prompts truncated over the run.</summary>
    public long TotalTruncated { get; private set; }

    /// <summary>The names of <see cref="WriteMetrics"/>'s values.</summary>
    public static IReadOnlyList<string> MetricNames => Names;

    /// <summary>Starts a new step's counts.</summary>
    public void Clear()
    {
        Skipped = 0;
        Truncated = 0;
    }

    /// <summary>Adds <paramref name="prompt"/> to <paramref name="batch"/>, truncated if the policy says so; false when it was skipped.</summary>
    /// <exception cref="ArgumentException">The prompt is too long under <see cref="OverlongPrompts.Error"/> (see <see cref="PromptBatch.Add(ReadOnlySpan{char}, ITokenizer, OverlongPrompts)"/>).</exception>
    /// <exception cref="InvalidOperationException">The limit of skips in a row was reached: the prompts are far longer than MaxPromptTokens.</exception>
    public bool TryAdd(PromptBatch batch, ReadOnlySpan<char> prompt, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(batch);
        switch (batch.Add(prompt, tokenizer, Policy))
        {
            case PromptFit.Skipped:
                Skipped++;
                TotalSkipped++;
                if (++_consecutiveSkips >= _maxConsecutiveSkips)
                {
                    throw new InvalidOperationException(
                        $"{_consecutiveSkips} prompts in a row were longer than MaxPromptTokens = {batch.MaxPromptTokens} tokens and skipped (Rft:OverlongPrompts = Skip): " +
                        "raise Rft:MaxPromptTokens, shorten the prompts, or use Rft:OverlongPrompts = TruncateLeft.");
                }

                return false;
            case PromptFit.Truncated:
                Truncated++;
                TotalTruncated++;
                break;
        }

        _consecutiveSkips = 0;
        return true;
    }

    /// <summary>Writes the step's counts, aligned with <see cref="MetricNames"/>; NaN under <see cref="OverlongPrompts.Error"/>.</summary>
    public void WriteMetrics(Span<double> values)
    {
        if (values.Length < Names.Length)
            throw new ArgumentException($"WriteMetrics needs {Names.Length} values (one per MetricNames entry); the span has {values.Length}.", nameof(values));
        bool counted = Policy != OverlongPrompts.Error;
        values[0] = counted ? Skipped : double.NaN;
        values[1] = counted ? Truncated : double.NaN;
    }
}
