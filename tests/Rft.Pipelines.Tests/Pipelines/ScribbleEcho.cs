using Rft;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>Six characters out of a hundred to echo back.</summary>
public sealed record Scribble(string Text);

/// <summary>
/// A GRPO step over a hundred-character vocabulary: the stop token is
/// one id in about a hundred, so a rollout of an untrained policy runs nearly all of its <c>MaxNewTokens</c>, which is
/// what the steady-state allocation test needs to compare short and long rollouts.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 1)]
[Training(Steps = 8, LearningRate = 1e-3, Seed = 3)]
[Rollout(MaxNewTokens = 4, MaxPromptTokens = 7)]
public partial class ScribbleEcho
{
    private static readonly string Alphabet = new(Enumerable.Range(0x100, 100).Select(c => (char)c).ToArray());

    [Source] public static IEnumerable<Scribble> Scribbles(Random rng)
    {
        var text = new char[6];
        while (true)
        {
            for (int i = 0; i < text.Length; i++) text[i] = Alphabet[rng.Next(Alphabet.Length)];
            yield return new Scribble(new string(text));
        }
    }

    /// <summary>Every character, so the tokenizer built from the rendered prompts knows them all.</summary>
    [EvalSource(Count = 17)] public static IEnumerable<Scribble> Everything(Random rng)
    {
        for (int i = 0; ; i = (i + 6) % 102) yield return new Scribble(Alphabet.Substring(Math.Min(i, 94), 6));
    }

    [Prompt] public static string Render(Scribble s) => s.Text;

    [Reward(Accuracy = true)]
    public static float Echoed(Scribble s, Completion c) => c.Text.StartsWith(s.Text.AsSpan(0, 1)) ? 1f : 0f;
}
