using System.Linq;
using Rft.Generators.Infrastructure;

namespace Rft.Generators.Specs;

/// <summary>
/// Everything the emitter needs to know about one [Pipeline] class, as plain values. Method names
/// are stored as declared (unescaped); types as fully qualified <c>global::</c> names.
/// </summary>
/// <param name="Namespace">The class's namespace, empty for the global namespace.</param>
/// <param name="Name">The class's name.</param>
/// <param name="IsPublic">Generated top-level types are public when the pipeline class is.</param>
/// <param name="RecordType">The type the sources yield, or empty when no source declares it.</param>
/// <param name="Prompt">The [Prompt] method, or empty when none is declared.</param>
/// <param name="PromptKind">Whether it returns the text or a conversation to render with the policy's chat template.</param>
/// <param name="Warmup">The supervised warm-up, present when a [Demonstration] is declared.</param>
/// <param name="IsValid">False when the parser reported errors: then only the options class is emitted.</param>
/// <param name="OffPolicy">Replay, ReMix, RAFT, online DPO and logged rollouts (RftGenerator.Parser.OffPolicy.cs).</param>
internal sealed record PipelineSpec(
    string Namespace,
    string Name,
    bool IsPublic,
    string RecordType,
    PolicySpec Policy,
    TrainingSpec Training,
    RolloutSpec Rollout,
    LossSpec Loss,
    EquatableArray<SourceSpec> Sources,
    EvaluationSpec Evaluation,
    string Prompt,
    PromptKind PromptKind,
    WarmupSpec? Warmup,
    EquatableArray<RewardSpec> Rewards,
    DataSpec Data,
    bool IsValid,
    OffPolicySpec OffPolicy)
{
    /// <summary>The class as a fully qualified name: <c>global::Arithmetic.Arithmetic</c>.</summary>
    public string FullName => Namespace.Length == 0 ? "global::" + Name : "global::" + Namespace + "." + Name;

    /// <summary>The generated options class's name: <c>ArithmeticOptions</c>.</summary>
    public string OptionsName => Name + "Options";

    /// <summary>The generated options class, fully qualified.</summary>
    public string OptionsFullName => Namespace.Length == 0 ? "global::" + OptionsName : "global::" + Namespace + "." + OptionsName;

    /// <summary>The trainer needs the pipeline instance (resolved from DI) to call instance rewards.</summary>
    public bool HasInstanceRewards => Rewards.Any(r => !r.IsStatic);

    /// <summary>Scoring awaits: at least one reward returns <c>ValueTask&lt;float&gt;</c>.</summary>
    public bool HasAsyncRewards => Rewards.Any(r => r.Returns == RewardReturnKind.ValueTaskOfSingle);
}
