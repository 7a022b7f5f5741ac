using Rft.Generators.Tests.Infrastructure;
using Snapshooter;
using Snapshooter.Xunit;

namespace Rft.Generators.Tests;

/// <summary>
/// Every generated file of each pipeline, compared with its snapshot in __snapshots__, and the
/// project compiled with it. A changed emitter shows up here as a reviewable diff of the generated
/// code; CI sets SNAPSHOOTER_STRICT_MODE=true so a missing snapshot fails instead of being written.
/// </summary>
public class SnapshotTests
{
    [Fact]
    public void Arithmetic_example_generates_options_trainer_and_host_with_entry_point()
    {
        var run = GeneratorRun.Of(GeneratorRun.Example("Arithmetic"), emitEntryPoint: true);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        MatchAll(run);
    }

    [Fact]
    public void Minimal_pipeline_without_warmup_kl_entropy_or_eval_source()
    {
        var run = GeneratorRun.Of(TestPipelines.Minimal);

        Assert.Equal(new[] { "RFT0013" }, run.Diagnostics.Select(d => d.Id));
        run.AssertCompiles();
        MatchAll(run);
    }

    [Fact]
    public void Full_pipeline_with_kl_entropy_warmup_and_async_instance_reward()
    {
        var run = GeneratorRun.Of(TestPipelines.Full);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        MatchAll(run);
    }

    [Fact]
    public void Static_pipeline_in_the_global_namespace_with_keyword_and_clashing_reward_names()
    {
        var run = GeneratorRun.Of(TestPipelines.GlobalNamespace, emitEntryPoint: true);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        MatchAll(run);
    }

    [Fact]
    public void Data_pipeline_with_jsonl_files_self_evolving_curriculum_prior_prompt_and_lora()
    {
        var run = GeneratorRun.Of(TestPipelines.Data);

        Assert.Empty(run.Diagnostics);
        run.AssertCompiles();
        MatchAll(run);
    }

    private static void MatchAll(GeneratorRun run)
    {
        Assert.Equal(3, run.Files.Count);
        foreach (var suffix in new[] { ".Options.g.cs", ".Trainer.g.cs", ".Host.g.cs" })
            Assert.Single(run.Files, f => f.HintName.EndsWith(suffix, StringComparison.Ordinal));
        foreach (var file in run.Files.OrderBy(f => f.HintName, StringComparer.Ordinal))
            Snapshot.Match(file.Text, SnapshotNameExtension.Create(file.HintName));
    }
}
