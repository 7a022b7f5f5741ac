using System.Linq;
using Microsoft.CodeAnalysis;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal sealed partial class Parser
    {
        /// <summary>Said after a [Prompt]'s wrong signature: the conversation types it may return besides a string.</summary>
        private const string PromptConversationHint =
            ", or return the conversation as System.Text.Json.Nodes.JsonArray or IEnumerable<Rft.Text.ChatMessage> to render it with the policy's chat template";

        /// <summary>The kind of a [Prompt]'s return type: text, JSON messages or ChatMessages; null for anything else.</summary>
        private PromptKind? PromptKindOf(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_String) return PromptKind.Text;
            if (KnownTypes.Is(type, _types.JsonArray)) return PromptKind.JsonMessages;
            if (type is IArrayTypeSymbol { Rank: 1 } array && KnownTypes.Is(array.ElementType, _types.ChatMessage)) return PromptKind.ChatMessages;
            var enumerables = type is INamedTypeSymbol named ? named.AllInterfaces.Prepend(named) : type.AllInterfaces;
            bool messages = enumerables.Any(i =>
                KnownTypes.Is(i.OriginalDefinition, _types.EnumerableOfT) && KnownTypes.Is(i.TypeArguments[0], _types.ChatMessage));
            return messages ? PromptKind.ChatMessages : null;
        }
    }
}
