using Rft.Models;

namespace Rft.Training;

/// <summary>
/// Builds the frozen reference policy of a KL term. Generated trainers call this only when the
/// pipeline declares a KL term; <see cref="Created"/> lets tests prove that the others never do.
/// </summary>
public static class ReferencePolicy
{
    private static long _created;

    /// <summary>Reference policies built in this process.</summary>
    public static long Created => Interlocked.Read(ref _created);

    /// <summary>A frozen copy of <paramref name="policy"/>: same weights, no gradients, eval mode.</summary>
    public static LlamaForCausalLM Create(LlamaForCausalLM policy)
    {
        Count();
        return policy.CreateFrozenCopy();
    }

    /// <summary>Counts a reference built without a copy (<see cref="FrozenReference"/> over a policy's base weights).</summary>
    internal static void Count() => Interlocked.Increment(ref _created);
}
