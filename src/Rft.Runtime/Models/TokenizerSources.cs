using System.Runtime.CompilerServices;
using Rft.Text;

namespace Rft.Models;

/// <summary>
/// Where a file-backed tokenizer was read from, so a checkpoint can copy its original files
/// (<c>tokenizer.json</c> and its configuration files, or a llama2.c <c>tokenizer.bin</c>) instead of re-deriving them.
/// <see cref="PolicyLoader"/> records every tokenizer it loads; code that loads one itself can record it too.
/// </summary>
public static class TokenizerSources
{
    private static readonly ConditionalWeakTable<ITokenizer, string> Sources = new();

    /// <summary>Records that <paramref name="tokenizer"/> was read from <paramref name="path"/> (a tokenizer.json or tokenizer.bin file).</summary>
    public static void Record(ITokenizer tokenizer, string path)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(path);
        Sources.AddOrUpdate(tokenizer, Path.GetFullPath(path));
    }

    /// <summary>The file <paramref name="tokenizer"/> was read from, or null when unknown.</summary>
    public static string? Find(ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return Sources.TryGetValue(tokenizer, out var path) ? path : null;
    }
}
