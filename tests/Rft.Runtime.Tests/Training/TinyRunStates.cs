namespace Rft.Runtime.Tests.Training;

/// <summary>One <see cref="TinyRunState"/> of this pipeline and one of another, built once for a test class (building one takes a second).</summary>
public sealed class TinyRunStates : IDisposable
{
    private readonly Lazy<TinyRunState> _other = new(() => new TinyRunState(seed: 11, loraRank: 4, alphabet: "abcdefghijkl"));

    public TinyRunState Main { get; } = new();

    /// <summary>Another model, tokenizer, adapter rank and curriculum: every file of its checkpoint differs from <see cref="Main"/>'s.</summary>
    public TinyRunState Other => _other.Value;

    public void Dispose()
    {
        Main.Dispose();
        if (_other.IsValueCreated) _other.Value.Dispose();
    }
}
