using Rft.Generators.Tests.Infrastructure;
using Snapshooter;
using Snapshooter.Xunit;

namespace Rft.Generators.Tests;

/// <summary>
/// A [Prompt] that returns a conversation (JsonArray or ChatMessages) instead of text: every place the trainer
/// renders a prompt goes through RenderPrompt, which applies the policy tokenizer's chat template.
/// </summary>
public class ChatPromptTests
{
    [Fact]
    public void A_prompt_returning_json_messages_is_rendered_through_the_chat_template()
    {
        var run = GeneratorRun.Of(TestPipelines.ChatJson);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        string trainer = run.File(".Trainer.g.cs");
        Assert.Contains("return template.Render(global::Samples.Chat.Tutor.Render(record), addGenerationPrompt: true);", trainer, StringComparison.Ordinal);
        Assert.Contains("_promptGuard.TryAdd(_prompts, RenderPrompt(record), _tokenizer)", trainer, StringComparison.Ordinal);
        Assert.Contains("foreach (var record in heldOut) yield return RenderPrompt(record);", trainer, StringComparison.Ordinal);
        Assert.DoesNotContain("global::Samples.Chat.Tutor.Render(record), _tokenizer", trainer, StringComparison.Ordinal);
        Snapshot.Match(trainer, SnapshotNameExtension.Create("Tutor.Trainer.g.cs"));
    }

    [Fact]
    public void A_prompt_returning_chat_messages_renders_them_for_rollouts_warm_up_and_evaluation()
    {
        var run = GeneratorRun.Of(TestPipelines.ChatMessages);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        string trainer = run.File(".Trainer.g.cs");
        Assert.Contains("private string RenderPrompt(global::Samples.ChatMessages.Question record)", trainer, StringComparison.Ordinal);
        Assert.Contains("batch.Add(RenderPrompt(record), global::Samples.ChatMessages.Tutor.Solve(record), _tokenizer);", trainer, StringComparison.Ordinal);
        Assert.Contains("_evaluationPromptGuard.TryAdd(_prompts, RenderPrompt(records[start + i]), _tokenizer)", trainer, StringComparison.Ordinal);
        Assert.Contains("private global::System.Collections.Generic.IEnumerable<string> TokenizerCorpus(", trainer, StringComparison.Ordinal);
    }
}
