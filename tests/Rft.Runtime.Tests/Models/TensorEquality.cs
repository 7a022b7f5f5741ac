using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

public static class TensorEquality
{
    /// <summary>Same shape and bit-for-bit equal elements (TorchSharp's <c>equal</c> answers with a tensor).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }
}
