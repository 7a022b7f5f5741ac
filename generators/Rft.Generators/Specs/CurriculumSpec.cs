namespace Rft.Generators.Specs;

/// <summary>[Curriculum]: its kind (a <c>Rft.CurriculumKind</c> member) and the record member keying it.</summary>
/// <param name="KeyExpression">C# that turns a record <c>r</c> into the int key, e.g. <c>r.Digits</c> or <c>(int)r.Level</c>.</param>
internal sealed record CurriculumSpec(string Kind, string Key, string KeyExpression, double Threshold, int Window, double Alpha, double Temperature);
