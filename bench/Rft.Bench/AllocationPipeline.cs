using Rft;

namespace Rft.Bench;

/// <summary>A prompt of eight characters drawn from 200; the bench only needs a realistic step, not learning.</summary>
public sealed record Scribble(string Text);

/// <summary>
/// The pipeline whose steady-state GRPO step <see cref="AllocationBench"/> measures (no warm-up). Prompts use 200
/// characters, so the character tokenizer's vocabulary makes the stop token rare (0.5% a token) and a rollout runs its
/// full <c>MaxNewTokens</c>: the bench compares rollouts of 6 and 64 tokens.
/// </summary>
[Pipeline]
[Policy(Preset = "tiny")]
[Grpo(GroupSize = 8, PromptsPerStep = 1)]
[Training(Steps = 60, LearningRate = 3e-5, Seed = 5)]
[Rollout(MaxNewTokens = 6, MaxPromptTokens = 10)]
public partial class AllocationPipeline
{
    private const string Alphabet =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~" +
        "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĲĳĴĵĶķĸĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŋŌōŎŏŐőŒœŔŕ";

    [Source] public static IEnumerable<Scribble> Scribbles(Random rng)
    {
        var text = new char[8];
        while (true)
        {
            for (int i = 0; i < text.Length; i++) text[i] = Alphabet[rng.Next(Alphabet.Length)];
            yield return new Scribble(new string(text));
        }
    }

    /// <summary>Every character once, so the tokenizer (built from the rendered prompts) knows them all.</summary>
    [EvalSource(Count = 26)] public static IEnumerable<Scribble> Everything(Random rng)
    {
        for (int i = 0; ; i = (i + 8) % Alphabet.Length) yield return new Scribble(Alphabet.Substring(i, Math.Min(8, Alphabet.Length - i)));
    }

    [Prompt] public static string Render(Scribble s) => s.Text;

    [Reward(Accuracy = true)]
    public static float Lower(Completion c) => c.Text.Length > 0 && char.IsLower(c.Text[0]) ? 1f : 0f;

    [Reward(Weight = 0.1)]
    public static float Stopped(Completion c) => c.Finished ? 1f : 0f;
}
