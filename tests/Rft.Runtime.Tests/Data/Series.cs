namespace Rft.Runtime.Tests.Data;

/// <summary>A record with a collection field, whose elements the serializer checks after the field's own kind.</summary>
public sealed record Series(string Name, int[] Values);
