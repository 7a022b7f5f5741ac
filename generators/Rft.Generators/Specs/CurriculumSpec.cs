namespace Rft.Generators.Specs;

/// <summary>[Curriculum]: its kind (a <c>Rft.CurriculumKind</c> member) and the record member keying it.</summary>
/// <param name="KeyExpression">
/// C# that turns a record <c>r</c> into its <c>CurriculumKey</c> (an int or a string converts implicitly), e.g.
/// <c>r.Digits</c>, <c>(int)r.Level</c> or <c>r.Category</c>.
/// </param>
/// <param name="KeyEnum">The key's enum type, fully qualified, when it is an enum (its member names name the metrics); else empty.</param>
internal sealed record CurriculumSpec(string Kind, string Key, string KeyExpression, string KeyEnum, double Threshold, int Window, double Alpha, double Temperature);
