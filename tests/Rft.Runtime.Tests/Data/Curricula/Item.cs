namespace Rft.Runtime.Tests.Data.Curricula;

/// <summary>A problem of the curriculum tests: a category (1 easiest .. 4 hardest) and an id within it.</summary>
public sealed record Item(int Category, int Id)
{
    public string Key => $"{Category}:{Id}";
}
