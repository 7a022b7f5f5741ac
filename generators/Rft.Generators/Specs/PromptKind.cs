namespace Rft.Generators.Specs;

/// <summary>What the [Prompt] method returns.</summary>
internal enum PromptKind
{
    /// <summary>The prompt text itself.</summary>
    Text,

    /// <summary>OpenAI-style messages as a <c>System.Text.Json.Nodes.JsonArray</c>, rendered with the policy's chat template.</summary>
    JsonMessages,

    /// <summary><c>Rft.Text.ChatMessage</c>s (an array or any IEnumerable), rendered with the policy's chat template.</summary>
    ChatMessages,
}
