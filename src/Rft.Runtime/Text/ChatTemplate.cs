using System.Text;

namespace Rft.Text;

/// <summary>Renders a conversation into the prompt text a chat model was trained on.</summary>
public sealed class ChatTemplate
{
    private readonly string _turnStart;
    private readonly string _turnEnd;

    private ChatTemplate(string name, string turnStart, string turnEnd)
    {
        Name = name;
        _turnStart = turnStart;
        _turnEnd = turnEnd;
    }

    /// <summary>
    /// ChatML, the template of the Qwen2/Qwen2.5/Qwen3 family without tools: each turn is
    /// <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>; the generation prompt is
    /// <c>&lt;|im_start|&gt;assistant\n</c>.
    /// </summary>
    public static ChatTemplate ChatMl { get; } = new("ChatML", "<|im_start|>", "<|im_end|>");

    public string Name { get; }

    /// <summary>The token that closes a turn; a completion ends when the policy emits it.</summary>
    public string EndOfTurn => _turnEnd;

    /// <param name="addGenerationPrompt">Open an assistant turn at the end, so the model's next tokens are its reply.</param>
    public string Render(IEnumerable<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder();
        int index = 0;
        foreach (var message in messages)
        {
            if (message is null) throw new ArgumentException($"Message {index} is null.", nameof(messages));
            if (string.IsNullOrWhiteSpace(message.Role) || message.Role.Any(char.IsWhiteSpace))
                throw new ArgumentException($"Message {index} has role \"{message.Role}\"; a role is one word such as system, user or assistant.", nameof(messages));
            text.Append(_turnStart).Append(message.Role).Append('\n').Append(message.Content).Append(_turnEnd).Append('\n');
            index++;
        }

        if (addGenerationPrompt) text.Append(_turnStart).Append("assistant\n");
        return text.ToString();
    }

    /// <summary>A single-turn prompt: an optional system message, then the user's <paramref name="prompt"/>.</summary>
    public string Render(string prompt, string? system = null, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var messages = new List<ChatMessage>(2);
        if (system is not null) messages.Add(ChatMessage.System(system));
        messages.Add(ChatMessage.User(prompt));
        return Render(messages, addGenerationPrompt);
    }
}
