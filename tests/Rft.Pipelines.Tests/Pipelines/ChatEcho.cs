using System.Text.Json.Nodes;
using Rft;

namespace Rft.Pipelines.Tests.Pipelines;

/// <summary>
/// The digit task asked as a conversation: [Prompt] returns OpenAI-style messages, which the trainer renders with
/// the policy's chat template; a preset's character tokenizer has none, so ChatML.
/// </summary>
[Pipeline]
[Policy(Preset = "nano")]
[Grpo(GroupSize = 4, PromptsPerStep = 4)]
[Training(Steps = 2, LearningRate = 1e-3, Seed = 5)]
[Rollout(MaxNewTokens = 3, MaxPromptTokens = 96)]
public partial class ChatEcho
{
    [Source] public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    [EvalSource(Count = 4)] public static IEnumerable<DigitTask> HeldOut(Random rng) => EchoDigit.Digits(rng);

    [Prompt]
    public static JsonArray Render(DigitTask task) => new()
    {
        new JsonObject { ["role"] = "system", ["content"] = "Echo." },
        new JsonObject { ["role"] = "user", ["content"] = $"{task.Digit}" },
    };

    [Reward(Accuracy = true)]
    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;
}
