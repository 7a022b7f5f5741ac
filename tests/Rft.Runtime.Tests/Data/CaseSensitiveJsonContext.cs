using System.Text.Json.Serialization;

namespace Rft.Runtime.Tests.Data;

/// <summary>Source-generated metadata with System.Text.Json's default, case-sensitive property names.</summary>
[JsonSerializable(typeof(Problem))]
internal sealed partial class CaseSensitiveJsonContext : JsonSerializerContext;
