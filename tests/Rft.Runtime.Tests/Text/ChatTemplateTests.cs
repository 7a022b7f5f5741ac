using System.Text.Json.Nodes;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using Rft.Text.Jinja;
using Xunit.Abstractions;

namespace Rft.Runtime.Tests.Text;

public sealed class ChatTemplateTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rft-chat-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Fixture(string name) =>
        Path.Combine(SharedFiles.RepositoryRoot, "tests", "Rft.Runtime.Tests", "Text", "ChatFixtures", name);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Qwen25_renders_its_default_system_prompt_tools_and_tool_calls()
    {
        var template = ChatTemplate.FromTokenizerConfig(Fixture("qwen2.5-0.5b-instruct.tokenizer_config.json"));
        Assert.True(template.IsJinja);
        Assert.Equal("<|im_end|>", template.EndOfTurn);
        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            template.Render("Hi"));

        var messages = JsonNode.Parse("""
            [{"role": "user", "content": "Weather?"},
             {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich"}}}]},
             {"role": "tool", "content": "{\"t\": 21}"}]
            """)!.AsArray();
        var extra = new JsonObject { ["tools"] = JsonNode.Parse("""[{"type": "function", "function": {"name": "get_weather"}}]""") };
        string text = template.Render(messages, addGenerationPrompt: true, extra);
        Assert.Contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}\n</tools>", text);
        Assert.Contains("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\"}}\n</tool_call><|im_end|>\n", text);
        Assert.EndsWith("<|im_start|>user\n<tool_response>\n{\"t\": 21}\n</tool_response><|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void DeepSeek_prints_its_bos_token_and_drops_past_reasoning()
    {
        var template = ChatTemplate.FromTokenizerConfig(Fixture("deepseek-r1-distill-qwen-32b.tokenizer_config.json"));
        Assert.Equal("<｜end▁of▁sentence｜>", template.EndOfTurn);
        var messages = JsonNode.Parse("""[{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "<think>add</think>4"}, {"role": "user", "content": "3+3?"}]""")!.AsArray();
        Assert.Equal("<｜begin▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>4<｜end▁of▁sentence｜><｜User｜>3+3?<｜Assistant｜>", template.Render(messages, addGenerationPrompt: true));
    }

    [Fact]
    public void Qwen3_from_the_shared_tokenizer_thinks_unless_told_not_to()
    {
        var tokenizer = Qwen3Tokenizer.Get(output);
        if (tokenizer is null) return;
        var template = ChatTemplate.For(tokenizer);
        Assert.True(template.IsJinja);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", template.Render("Hi"));
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" });
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
            template.Render(messages, addGenerationPrompt: true, new JsonObject { ["enable_thinking"] = false }));
        Assert.Equal(tokenizer.EosId, tokenizer.TokenToId(template.EndOfTurn));
    }

    [Fact]
    public void A_tokenizer_folder_without_a_template_falls_back_to_chatml_and_a_template_file_is_used()
    {
        TinyHuggingFaceFiles.WriteTokenizer(_folder);
        var tokenizer = HuggingFaceTokenizer.Load(_folder);
        Assert.Null(tokenizer.ChatTemplate);
        Assert.Same(ChatTemplate.ChatMl, ChatTemplate.For(tokenizer));
        Assert.Same(ChatTemplate.ChatMl, ChatTemplate.For(new CharTokenizer("ab")));

        Write(ChatTemplate.JinjaFile, "{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}");
        var withFile = HuggingFaceTokenizer.Load(_folder);
        Assert.Equal("[user] hi<|end|>[assistant] ", ChatTemplate.For(withFile).Render("hi"));
        Assert.Equal("<|end|>", ChatTemplate.For(withFile).EndOfTurn);
    }

    [Fact]
    public void The_list_form_picks_default_or_the_named_template()
    {
        string config = Write("tokenizer_config.json", """
            {"eos_token": {"content": "</s>"}, "chat_template": [
              {"name": "default", "template": "D:{{ messages[0].content }}{{ eos_token }}"},
              {"name": "tool_use", "template": "T:{{ tools|length }}"}]}
            """);
        Assert.Equal("D:x</s>", ChatTemplate.FromTokenizerConfig(_folder).Render("x"));
        var tool = ChatTemplate.FromTokenizerConfig(config, "tool_use");
        Assert.Equal("T:2", tool.Render(new JsonArray(), false, new JsonObject { ["tools"] = new JsonArray(1, 2) }));
        var e = Assert.Throws<FormatException>(() => ChatTemplate.FromTokenizerConfig(config, "rag"));
        Assert.Contains("no template named 'rag'; it has 'default', 'tool_use'", e.Message);
        Assert.StartsWith(config, e.Message);
    }

    [Fact]
    public void Bad_configurations_and_templates_name_the_file_and_what_is_wrong()
    {
        Assert.Throws<FileNotFoundException>(() => ChatTemplate.FromTokenizerConfig(Path.Combine(_folder, "nope")));

        string none = Write("tokenizer_config.json", """{"eos_token": "</s>"}""");
        var missing = Assert.Throws<FormatException>(() => ChatTemplate.FromTokenizerConfig(none));
        Assert.Equal($"{none}: no chat_template: the configuration has none and there is no chat_template.jinja beside it.", missing.Message);

        Write("tokenizer_config.json", """{"chat_template": 3}""");
        Assert.Contains("chat_template is a Number", Assert.Throws<FormatException>(() => ChatTemplate.FromTokenizerConfig(_folder)).Message);

        Write("tokenizer_config.json", "{\"chat_template\": \"{% for m in messages %}\\n{{ m.content | shout }}{% endfor %}\"}");
        var syntax = Assert.Throws<JinjaException>(() => ChatTemplate.FromTokenizerConfig(_folder));
        Assert.Equal($"{none} chat_template line 2, column 16: no filter named 'shout'", syntax.Message);
    }

    [Fact]
    public void Render_rejects_reserved_extra_variables_and_chatml_rejects_messages_it_cannot_format()
    {
        var template = ChatTemplate.FromJinja("{{ messages|length }}", "inline");
        var e = Assert.Throws<ArgumentException>(() => template.Render(new JsonArray(), true, new JsonObject { ["messages"] = 1 }));
        Assert.Contains("extra sets 'messages'", e.Message);

        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
            ChatTemplate.ChatMl.Render(new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), addGenerationPrompt: true));
        var toolCall = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }, new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray() });
        var chatMl = Assert.Throws<ArgumentException>(() => ChatTemplate.ChatMl.Render(toolCall, addGenerationPrompt: false));
        Assert.Contains("messages[1] needs a string role and a string content for ChatML", chatMl.Message);
    }
}
