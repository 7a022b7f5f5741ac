using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rft.Text.Jinja;

namespace Rft.Text;

/// <summary>
/// Renders a conversation into the prompt text a chat model was trained on: the model's own Jinja
/// <c>chat_template</c> from <c>tokenizer_config.json</c> (<see cref="FromTokenizerConfig"/>), rendered as transformers'
/// <c>apply_chat_template</c> renders it, or the hard-coded <see cref="ChatMl"/> for tokenizers without one.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>The file a tokenizer folder may hold its template in (transformers writes it there since 4.47).</summary>
    public const string JinjaFile = "chat_template.jinja";

    private const string ConfigFile = "tokenizer_config.json";
    private static readonly string[] SpecialTokenNames = ["bos_token", "eos_token", "unk_token", "pad_token"];

    private readonly JinjaTemplate? _jinja;
    private readonly KeyValuePair<string, object?>[] _specialTokens;

    private ChatTemplate(string name, string endOfTurn, JinjaTemplate? jinja, KeyValuePair<string, object?>[] specialTokens)
    {
        Name = name;
        EndOfTurn = endOfTurn;
        _jinja = jinja;
        _specialTokens = specialTokens;
    }

    /// <summary>
    /// ChatML, the template of the Qwen2/Qwen2.5/Qwen3 family without tools: each turn is
    /// <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>; the generation prompt is
    /// <c>&lt;|im_start|&gt;assistant\n</c>.
    /// </summary>
    public static ChatTemplate ChatMl { get; } = new("ChatML", "<|im_end|>", null, []);

    /// <summary>"ChatML", or where a Jinja template came from.</summary>
    public string Name { get; }

    /// <summary>The token that closes a turn: <c>&lt;|im_end|&gt;</c> for ChatML, the configuration's <c>eos_token</c> for a model's template.</summary>
    public string EndOfTurn { get; }

    /// <summary>Whether this is a model's Jinja template rather than the built-in ChatML.</summary>
    public bool IsJinja => _jinja is not null;

    /// <summary>
    /// Reads the <c>chat_template</c> of a <c>tokenizer_config.json</c> (<paramref name="path"/> is the file or its folder):
    /// a template string, or the list form <c>[{"name": ..., "template": ...}]</c> from which <paramref name="templateName"/>
    /// (by default <c>"default"</c>) is taken; when the configuration has none, <c>chat_template.jinja</c> beside it.
    /// <c>bos_token</c>, <c>eos_token</c>, <c>unk_token</c> and <c>pad_token</c> become the template's variables of those names.
    /// </summary>
    /// <exception cref="FileNotFoundException">No tokenizer_config.json at <paramref name="path"/>.</exception>
    /// <exception cref="FormatException">The configuration is malformed or names no template; the message names the file and field.</exception>
    /// <exception cref="JinjaException">The template does not parse; the message names the file, line and column.</exception>
    public static ChatTemplate FromTokenizerConfig(string path, string? templateName = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string file = Directory.Exists(path) ? Path.Combine(path, ConfigFile) : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no {ConfigFile} there.", file);
        return TryLoad(file, templateName)
            ?? throw new FormatException($"{file}: no chat_template: the configuration has none and there is no {JinjaFile} beside it.");
    }

    /// <summary>The template of a tokenizer folder, or null when it has none (no configuration, or no chat_template in it).</summary>
    /// <exception cref="FormatException">The configuration is malformed.</exception>
    /// <exception cref="JinjaException">The template does not parse.</exception>
    public static ChatTemplate? FromTokenizerFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string file = Path.Combine(folder, ConfigFile);
        if (File.Exists(file)) return TryLoad(file, null);
        string jinja = Path.Combine(folder, JinjaFile);
        return File.Exists(jinja) ? FromJinja(File.ReadAllText(jinja), jinja) : null;
    }

    /// <summary>A template from Jinja source, with the special tokens it may print (e.g. <c>bos_token</c>).</summary>
    /// <param name="endOfTurn">What <see cref="EndOfTurn"/> reports; by default the <c>eos_token</c> of <paramref name="specialTokens"/>.</param>
    public static ChatTemplate FromJinja(string source, string name, IReadOnlyDictionary<string, string>? specialTokens = null, string? endOfTurn = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(name);
        var tokens = (specialTokens ?? new Dictionary<string, string>()).Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)).ToArray();
        string end = endOfTurn ?? (specialTokens is not null && specialTokens.TryGetValue("eos_token", out var eos) ? eos : string.Empty);
        return new ChatTemplate(name, end, JinjaTemplate.Parse(source, name), tokens);
    }

    /// <summary>The template a tokenizer brings (a Hugging Face tokenizer folder with a chat_template), else <see cref="ChatMl"/>.</summary>
    public static ChatTemplate For(ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return (tokenizer as HuggingFaceTokenizer)?.ChatTemplate ?? ChatMl;
    }

    private static ChatTemplate? TryLoad(string file, string? templateName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw new FormatException($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine}): {e.Message}", e);
        }

        if (root is not JsonObject config) throw new FormatException($"{file}: the root is not a JSON object.");
        var tokens = new List<KeyValuePair<string, object?>>();
        string? eos = null;
        foreach (var name in SpecialTokenNames)
        {
            string? content = config[name] switch
            {
                null => null,
                JsonValue v when v.TryGetValue(out string? s) => s,
                JsonObject o when o["content"] is JsonValue c && c.TryGetValue(out string? s) => s,
                var other => throw new FormatException($"{file}: {name} is {other.ToJsonString()}; expected a token string, {{\"content\": ...}} or null."),
            };
            if (content is null) continue;
            tokens.Add(new(name, content));
            if (name == "eos_token") eos = content;
        }

        string templateLabel = $"{file} chat_template";
        string? source = config["chat_template"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonArray named => Named(file, named, templateName ?? "default", ref templateLabel),
            var other => throw new FormatException($"{file}: chat_template is a {other.GetValueKind()}; expected a template string or a list of {{\"name\", \"template\"}}."),
        };
        if (source is null)
        {
            string jinja = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, JinjaFile);
            if (!File.Exists(jinja)) return null;
            source = File.ReadAllText(jinja);
            templateLabel = jinja;
        }

        return new ChatTemplate(templateLabel, eos ?? string.Empty, JinjaTemplate.Parse(source, templateLabel), tokens.ToArray());
    }

    private static string Named(string file, JsonArray templates, string wanted, ref string label)
    {
        var names = new List<string>();
        foreach (var entry in templates)
        {
            string? name = entry?["name"]?.GetValueKind() == JsonValueKind.String ? entry["name"]!.GetValue<string>() : null;
            string? template = entry?["template"]?.GetValueKind() == JsonValueKind.String ? entry["template"]!.GetValue<string>() : null;
            if (name is null || template is null)
                throw new FormatException($"{file}: chat_template[{names.Count}] is not {{\"name\": string, \"template\": string}}.");
            if (name == wanted)
            {
                label = $"{file} chat_template '{name}'";
                return template;
            }

            names.Add(name);
        }

        throw new FormatException($"{file}: chat_template has no template named '{wanted}'; it has {string.Join(", ", names.Select(n => $"'{n}'"))}.");
    }

    /// <summary>
    /// Renders OpenAI-style <paramref name="messages"/> (objects with <c>role</c>, <c>content</c> and whatever else the template
    /// reads: <c>tool_calls</c>, <c>reasoning_content</c>, ...). <paramref name="extra"/> holds further variables such as
    /// <c>tools</c> or <c>enable_thinking</c>; it may override the special tokens, not <c>messages</c> or <c>add_generation_prompt</c>.
    /// </summary>
    /// <param name="addGenerationPrompt">Open an assistant turn at the end, so the model's next tokens are its reply.</param>
    /// <exception cref="JinjaException">The template failed or rejected the conversation (<see cref="JinjaException.RaisedByTemplate"/>).</exception>
    /// <exception cref="ArgumentException">ChatML got a message without a one-word role and a string content, or <paramref name="extra"/> names a reserved variable.</exception>
    public string Render(JsonArray messages, bool addGenerationPrompt, JsonObject? extra = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (extra is not null)
        {
            foreach (var reserved in new[] { "messages", "add_generation_prompt" })
            {
                if (extra.ContainsKey(reserved))
                    throw new ArgumentException($"extra sets '{reserved}', which Render sets from its own parameters; pass it there.", nameof(extra));
            }
        }

        if (_jinja is null)
        {
            return RenderChatMl(messages.Select((m, i) => ChatMlMessage(m, i)), addGenerationPrompt);
        }

        var variables = new List<KeyValuePair<string, object?>>(_specialTokens);
        if (extra is not null)
        {
            foreach (var (key, value) in extra) variables.Add(new(key, JinjaJson.FromNode(value)));
        }

        variables.Add(new("messages", JinjaJson.FromNode(messages)));
        variables.Add(new("add_generation_prompt", addGenerationPrompt));
        return _jinja.Render(variables);
    }

    /// <param name="addGenerationPrompt">Open an assistant turn at the end, so the model's next tokens are its reply.</param>
    public string Render(IEnumerable<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (_jinja is null) return RenderChatMl(messages, addGenerationPrompt);
        var list = new List<object?>();
        foreach (var message in messages)
        {
            if (message is null) throw new ArgumentException($"Message {list.Count} is null.", nameof(messages));
            list.Add(new OrderedDictionary<string, object?> { ["role"] = message.Role, ["content"] = message.Content });
        }

        return _jinja.Render([.. _specialTokens, new("messages", list), new("add_generation_prompt", addGenerationPrompt)]);
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

    private static ChatMessage ChatMlMessage(JsonNode? node, int index)
    {
        if (node is not JsonObject message) throw new ArgumentException($"messages[{index}] is {node?.ToJsonString() ?? "null"}; a message is an object with role and content.", "messages");
        string? role = message["role"] is JsonValue r && r.TryGetValue(out string? rs) ? rs : null;
        string? content = message["content"] is JsonValue c && c.TryGetValue(out string? cs) ? cs : null;
        if (role is null || content is null)
            throw new ArgumentException($"messages[{index}] needs a string role and a string content for ChatML, which has no template for tool calls or other fields; got {message.ToJsonString()}.", "messages");
        return new ChatMessage(role, content);
    }

    private string RenderChatMl(IEnumerable<ChatMessage> messages, bool addGenerationPrompt)
    {
        var text = new StringBuilder();
        int index = 0;
        foreach (var message in messages)
        {
            if (message is null) throw new ArgumentException($"Message {index} is null.", nameof(messages));
            if (string.IsNullOrWhiteSpace(message.Role) || message.Role.Any(char.IsWhiteSpace))
                throw new ArgumentException($"Message {index} has role \"{message.Role}\"; a role is one word such as system, user or assistant.", nameof(messages));
            text.Append("<|im_start|>").Append(message.Role).Append('\n').Append(message.Content).Append(EndOfTurn).Append('\n');
            index++;
        }

        if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
        return text.ToString();
    }
}
