using Rft.Native;

namespace Rft.Models;

public sealed partial class TokenEmbedding
{
    /// <summary><see cref="forward"/> on native handles for [rows, length] ids; returns [rows, length, hidden].</summary>
    internal IntPtr Decode(NativeFrame f, IntPtr ids, long rows, long length = 1) =>
        f.View(f.IndexSelect(weight.Handle, 0, f.Flatten(ids)), rows, length, weight.size(1));
}
