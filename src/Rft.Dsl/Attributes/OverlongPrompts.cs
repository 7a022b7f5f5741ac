namespace Rft;

/// <summary>What a prompt longer than <c>MaxPromptTokens</c> does (<see cref="RolloutAttribute.OverlongPrompts"/>, option <c>Rft:OverlongPrompts</c>).</summary>
public enum OverlongPrompts
{
    /// <summary>Stop the run with an error giving the prompt's length and the limit.</summary>
    Error,

    /// <summary>
    /// Leave the record out: in training the next record is drawn in its place; in evaluation it is counted as
    /// not solved. Counted in the metric <c>prompts/skipped_overlong</c>.
    /// </summary>
    Skip,

    /// <summary>Keep the prompt's last <c>MaxPromptTokens</c> tokens (after BOS, which stays first). Counted in <c>prompts/truncated</c>.</summary>
    TruncateLeft,
}
