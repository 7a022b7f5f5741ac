namespace Rft.Generators.Specs;

/// <summary>[PassRateFilter]: the member identifying a problem and the filter's settings.</summary>
/// <param name="KeyExpression">C# that turns a record <c>r</c> into the problem's string key.</param>
internal sealed record PassRateFilterSpec(string Key, string KeyExpression, int Window, int MinAttempts, int MaxSkipsPerDraw);
