namespace Rft.Generators;

/// <summary>Names of the incremental pipeline's steps, so tests can assert what is cached.</summary>
internal static class TrackingNames
{
    /// <summary>Each [Pipeline] class parsed into its spec and diagnostics.</summary>
    public const string ParseResults = nameof(ParseResults);

    /// <summary>The diagnostics of each pipeline, reported on their own.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>The spec of each pipeline, without diagnostics (locations move with every edit).</summary>
    public const string Pipelines = nameof(Pipelines);

    /// <summary>The MSBuild properties the generator reads.</summary>
    public const string BuildOptions = nameof(BuildOptions);

    /// <summary>Each pipeline's spec with the build options: the input of source emission.</summary>
    public const string EmitInputs = nameof(EmitInputs);
}
