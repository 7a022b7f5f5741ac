using Rft;

namespace Rft.Bench;

/// <summary>A prompt of characters of the bench tokenizer's alphabet, one token each.</summary>
public sealed record Letters(string Text);

/// <summary>
/// The GRPO step that <see cref="SpeedBench"/> times against the PyTorch eager reference (bench/pytorch/grpo_step.py):
/// 4 prompts x 8 completions, 32 prompt tokens (BOS + 31 characters), 64 new tokens at temperature 1, the clipped
/// surrogate, k3 KL to a frozen reference (beta 0.04), AdamW without weight decay at a constant rate, gradient norm
/// clipped to 1, float32. The policy is the checkpoint the bench writes for each shape (<c>Rft:PolicyPath</c>).
/// </summary>
[Pipeline]
[Policy(Preset = "small")]
[Grpo(GroupSize = 8, PromptsPerStep = 4, ClipLow = 0.2, ClipHigh = 0.2)]
[KlPenalty(0.04, Estimator = KlEstimator.K3)]
[Training(Steps = 13, LearningRate = 1e-5, WarmupSteps = 0, MinLearningRateRatio = 1, WeightDecay = 0, MaxGradNorm = 1.0, Seed = 1)]
[Rollout(MaxNewTokens = 64, MaxPromptTokens = 32, Temperature = 1.0)]
public partial class SpeedPipeline
{
    /// <summary>The characters prompts are drawn from: the alphabet of the checkpoint's tokenizer, set by the bench.</summary>
    public static string Alphabet { get; set; } = "abcdefghijklmnopqrstuvwxyz";

    [Source] public static IEnumerable<Letters> Prompts(Random rng)
    {
        var text = new char[31];
        while (true)
        {
            for (int i = 0; i < text.Length; i++) text[i] = Alphabet[rng.Next(Alphabet.Length)];
            yield return new Letters(new string(text));
        }
    }

    [EvalSource(Count = 4)] public static IEnumerable<Letters> HeldOut(Random rng) => Prompts(rng);

    [Prompt] public static string Render(Letters letters) => letters.Text;

    /// <summary>The share of the completion's characters in the lower half of the alphabet (the reference scores token ids the same way).</summary>
    [Reward]
    public static float LowerHalf(Completion c)
    {
        var text = c.Text;
        if (text.Length == 0) return 0f;
        char middle = Alphabet[Alphabet.Length / 2];
        int lower = 0;
        foreach (char ch in text)
        {
            if (ch < middle) lower++;
        }

        return (float)lower / text.Length;
    }
}
