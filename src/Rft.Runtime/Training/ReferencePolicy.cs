using Rft.Models;

namespace Rft.Training;

/// <summary>
/// Builds the frozen reference policy of a KL term. Generated trainers call this only when the pipeline declares a KL term
/// (or a term reading reference log-probs); <see cref="Created"/> lets tests prove that the others never do.
/// </summary>
public static class ReferencePolicy
{
    // Counted per async flow, so concurrent runs (tests in parallel) do not see each other's references.
    private static readonly AsyncLocal<StrongBox?> Counter = new();

    /// <summary>References built in this async flow since the first read of <see cref="Created"/> in it.</summary>
    public static long Created
    {
        get
        {
            Counter.Value ??= new StrongBox();
            return Counter.Value.Count;
        }
    }

    /// <summary>A frozen copy of <paramref name="policy"/>: same weights, no gradients, eval mode.</summary>
    public static LlamaForCausalLM Create(LlamaForCausalLM policy)
    {
        Count();
        return policy.CreateFrozenCopy();
    }

    /// <summary>Counts a reference built without a copy (<see cref="FrozenReference"/> over a policy's base weights).</summary>
    internal static void Count()
    {
        if (Counter.Value is { } box) Interlocked.Increment(ref box.Count);
    }

    private sealed class StrongBox
    {
        public long Count;
    }
}
