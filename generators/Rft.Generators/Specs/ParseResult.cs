using Rft.Generators.Diagnostics;
using Rft.Generators.Infrastructure;

namespace Rft.Generators.Specs;

/// <summary>What the parser learned about one [Pipeline] class: its spec and the problems found.</summary>
internal sealed record ParseResult(PipelineSpec Pipeline, EquatableArray<DiagnosticInfo> Diagnostics);
