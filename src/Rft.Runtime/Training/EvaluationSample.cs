namespace Rft.Training;

/// <summary>One held-out record as an evaluation saw it: the prompt, the policy's completion and how the rewards scored it.</summary>
/// <param name="Reward">The weighted sum of the rewards (the quantity RL maximises); NaN when a reward failed.</param>
/// <param name="Correct">Whether the accuracy reward scored at least 1.</param>
/// <param name="Rewards">Each reward's raw value by name, in declaration order; NaN when the reward threw or returned NaN.</param>
public sealed record EvaluationSample(
    string Prompt,
    string Completion,
    double Reward,
    bool Correct,
    IReadOnlyList<KeyValuePair<string, double>> Rewards)
{
    /// <summary>A sample from the reward values a trainer scored, aligned with <paramref name="rewardNames"/>.</summary>
    public static EvaluationSample Create(
        string prompt, string completion, IReadOnlyList<string> rewardNames, ReadOnlySpan<float> rewards, double reward, bool correct)
    {
        if (rewards.Length != rewardNames.Count)
            throw new ArgumentException($"{rewards.Length} reward values for {rewardNames.Count} reward names.", nameof(rewards));
        var named = new KeyValuePair<string, double>[rewards.Length];
        for (int i = 0; i < named.Length; i++) named[i] = new(rewardNames[i], rewards[i]);
        return new EvaluationSample(prompt, completion, reward, correct, named);
    }
}
