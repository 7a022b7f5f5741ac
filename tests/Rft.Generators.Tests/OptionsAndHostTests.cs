using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rft.Generators.Tests.Infrastructure;
using Rft.Training;

namespace Rft.Generators.Tests;

/// <summary>
/// The generated options and host code at work: compiled, loaded, and driven the way the host
/// drives them, without training anything.
/// </summary>
public class OptionsAndHostTests
{
    private static readonly Lazy<Assembly> Arithmetic = new(() => GeneratorRun.Of(GeneratorRun.Example("Arithmetic"), emitEntryPoint: true).Load());
    private static readonly Lazy<Assembly> Full = new(() => GeneratorRun.Of(TestPipelines.Full).Load());

    [Fact]
    public void Options_default_to_the_attribute_values_and_to_the_attribute_defaults_where_unset()
    {
        var options = Create(Arithmetic.Value, "Arithmetic.ArithmeticOptions");

        Assert.Equal(1000, Get(options, "Steps"));                // [Training(Steps = 1000)]
        Assert.Equal(0.28, Get(options, "ClipHigh"));             // [Grpo(ClipHigh = 0.28)]
        Assert.Equal(1e-6, Get(options, "Epsilon"));              // GrpoAttribute's default
        Assert.Equal(200, Get(options, "SftValidationSize"));     // SftWarmupAttribute's default
        Assert.Equal(3.0, Get(options, "SumsWeight"));            // [Source(Weight = 3)]
        Assert.Equal(0.1, Get(options, "StoppedWeight"));         // [Reward(Weight = 0.1)]
        Assert.Equal("runs", Get(options, "RunDirectory"));
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_names_each_invalid_option_its_value_and_what_is_valid()
    {
        var options = Create(Full.Value, "Samples.Full.QuizOptions");
        Set(options, "GroupSize", 1);
        Set(options, "TopP", 0.0);
        Set(options, "DoublesWeight", -1.0);
        Set(options, "KlEstimator", (KlEstimator)9);
        Set(options, "PolicyPath", "models/qwen");
        Set(options, "MiniBatches", 40);              // with GroupSize 1 above, a step has 2 x 1 rows
        Set(options, "Device", "gpu0");
        Set(options, "Precision", (Precision)5);
        Set(options, "PpoEpochs", 0);

        Assert.Equal(
            new[]
            {
                "Rft:MiniBatches = 40 is invalid: a step has 2 completions (Rft:PromptsPerStep 2 x Rft:GroupSize 1), and each mini-batch needs at least one; use at most 2.",
                "Rft:Device = 'gpu0' is not a device: use cpu, cuda or cuda:N (N the GPU's index).",
                "Rft:Precision = 5 is invalid: it must be one of Fp32, Bf16.",
                "Rft:PpoEpochs = 0 is invalid: it must be at least 1.",
                "Rft:GroupSize = 1 is invalid: it must be at least 2.",
                "Rft:TopP = 0 is invalid: it must be in (0, 1].",
                "Rft:DoublesWeight = -1 is invalid: it must be a positive finite number.",
                "Rft:KlEstimator = 9 is invalid: it must be one of K1, Abs, K2, K3.",
                $"Rft:PolicyPath = 'models/qwen' does not exist (looked for {System.IO.Path.GetFullPath("models/qwen")}): give a Hugging Face model folder (config.json, model.safetensors, tokenizer.json), an Rft checkpoint folder or a llama2.c .bin file, or leave it empty to train a preset.",
            }.Order(StringComparer.Ordinal),
            options.Validate().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Decode_rows_must_hold_a_whole_group()
    {
        var options = Create(Full.Value, "Samples.Full.QuizOptions");
        Set(options, "GroupSize", 4);
        Set(options, "DecodeRows", 3);
        Assert.Equal(
            ["Rft:DecodeRows = 3 is invalid: a prompt's Rft:GroupSize = 4 completions are decoded together, so use 0 (all of a step's at once) or at least 4."],
            options.Validate());

        Set(options, "DecodeRows", 4);
        Assert.Empty(options.Validate());
        Set(options, "DecodeRows", -1);
        Assert.Equal(["Rft:DecodeRows = -1 is invalid: it must be at least 0."], options.Validate());
    }

    [Fact]
    public void The_host_registration_binds_options_from_configuration_and_resolves_the_trainer_with_its_pipeline()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Rft:Steps"] = "5", ["Rft:ExactWeight"] = "2.5" })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        var extensions = Full.Value.GetType("Samples.Full.QuizServiceCollectionExtensions", throwOnError: true)!;
        extensions.GetMethod("AddQuiz")!.Invoke(null, new object[] { services });

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IRftOptions>();
        Assert.Equal(5, Get(options, "Steps"));
        Assert.Equal(2.5, Get(options, "ExactWeight"));

        // The trainer of a pipeline with instance rewards takes the pipeline instance from DI.
        using var trainer = provider.GetRequiredService<IPipelineTrainer>();
        Assert.Equal("Quiz", trainer.PipelineName);
        Assert.Equal("Samples.Full.Quiz+Trainer", trainer.GetType().FullName);
    }

    private static IRftOptions Create(Assembly assembly, string type) =>
        (IRftOptions)Activator.CreateInstance(assembly.GetType(type, throwOnError: true)!)!;

    private static object? Get(object options, string property) => options.GetType().GetProperty(property)!.GetValue(options);

    private static void Set(object options, string property, object? value) => options.GetType().GetProperty(property)!.SetValue(options, value);
}
