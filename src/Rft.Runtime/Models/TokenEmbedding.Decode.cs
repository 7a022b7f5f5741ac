using Rft.Native;

namespace Rft.Models;

public sealed partial class TokenEmbedding
{
    /// <summary><see cref="forward"/> on native handles for [rows, 1] ids; returns [rows, 1, hidden].</summary>
    internal IntPtr Decode(NativeFrame f, IntPtr ids, long rows) =>
        f.View(f.IndexSelect(weight.Handle, 0, f.Flatten(ids)), rows, 1, weight.size(1));
}
