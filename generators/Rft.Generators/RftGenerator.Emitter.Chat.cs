using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        /// <summary>The trainer method every call site uses in place of a [Prompt] that returns a conversation.</summary>
        private const string PromptRenderer = "RenderPrompt";

        /// <summary>
        /// For a [Prompt] that returns messages: the trainer's <c>RenderPrompt(record)</c>, which renders them with the
        /// policy tokenizer's chat template (ChatML when the tokenizer has none) and opens the assistant's turn.
        /// </summary>
        private static void WritePromptRenderer(SourceWriter writer, TrainerModel t)
        {
            var p = t.Pipeline;
            if (p.PromptKind == PromptKind.Text) return;
            string method = p.FullName + "." + Identifiers.Escape(p.Prompt);
            writer.WriteLine($$"""

                // [Prompt] {{p.Prompt}} returns a conversation: it is rendered with the policy tokenizer's chat template
                // (tokenizer_config.json's chat_template; ChatML when there is none), ending in an open assistant turn.
                private global::Rft.Text.ChatTemplate? _chatTemplate;

                private string {{PromptRenderer}}({{p.RecordType}} record)
                {
                    // A character tokenizer is built from rendered prompts before _tokenizer exists; it has no template: ChatML.
                    var template = _tokenizer is null ? global::Rft.Text.ChatTemplate.ChatMl : _chatTemplate ??= global::Rft.Text.ChatTemplate.For(_tokenizer);
                    return template.Render({{method}}(record), addGenerationPrompt: true);
                }
                """);
        }
    }
}
