using Rft.Native;

namespace Rft.Models.Lora;

public sealed partial class AdaptableLinear
{
    /// <summary>The bias's native handle, or zero without a bias.</summary>
    internal IntPtr BiasHandle => bias?.Handle ?? IntPtr.Zero;

    /// <summary>
    /// <see cref="forward"/> on native handles, without adapter dropout (decoding, forwards without a graph, or an adapter
    /// without dropout): <c>W x + b</c>, plus <c>scale * B (A x)</c> with an adapter that is not suspended.
    /// </summary>
    internal IntPtr Decode(NativeFrame f, IntPtr input)
    {
        var output = f.Linear(input, weight.Handle, bias?.Handle ?? IntPtr.Zero);
        if (lora_A is null || lora_B is null || Suspended) return output;
        f.AddInPlace(output, f.Linear(f.Linear(input, lora_A.weight!.Handle, IntPtr.Zero), lora_B.weight!.Handle, IntPtr.Zero), Scale);
        return output;
    }
}
