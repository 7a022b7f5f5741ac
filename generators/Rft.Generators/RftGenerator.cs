using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Rft.Generators;

/// <summary>
/// Compiles each <c>[Pipeline]</c> class into an options class, a trainer and a host registration.
/// This file only wires the incremental pipeline: <see cref="Parser"/> turns symbols into specs,
/// <see cref="Emitter"/> turns specs into source.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class RftGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Rft.PipelineAttribute",
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (context, cancellationToken) => Parser.Parse(context, cancellationToken))
            .WithTrackingName(TrackingNames.ParseResults)
            .Where(static result => result is not null)
            .Select(static (result, _) => result!);

        // Diagnostics are reported on their own, so that a spec whose locations merely moved
        // is still cached for emission.
        var diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (context, diagnostics) =>
        {
            foreach (var diagnostic in diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        var pipelines = parsed
            .Select(static (result, _) => result.Pipeline)
            .WithTrackingName(TrackingNames.Pipelines);

        var buildOptions = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => BuildOptions.From(provider.GlobalOptions))
            .WithTrackingName(TrackingNames.BuildOptions);

        var emitInputs = pipelines
            .Combine(buildOptions)
            .WithTrackingName(TrackingNames.EmitInputs);
        context.RegisterSourceOutput(emitInputs, static (context, input) => Emitter.Emit(context, input.Left, input.Right));
    }
}
