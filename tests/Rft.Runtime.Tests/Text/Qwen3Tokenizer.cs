using Rft.Text;
using Xunit.Abstractions;

namespace Rft.Runtime.Tests.Text;

/// <summary>../shared/tokenizers/qwen3 loaded once for all tests (parsing 151,387 merges takes a moment).</summary>
internal static class Qwen3Tokenizer
{
    public const string Folder = "tokenizers/qwen3";

    private static readonly Lazy<HuggingFaceTokenizer> Loaded = new(() =>
        HuggingFaceTokenizer.Load(Path.GetFullPath(Path.Combine(SharedFiles.RepositoryRoot, "..", "shared", Folder))));

    /// <summary>The tokenizer, or null after printing why the test is skipped.</summary>
    public static HuggingFaceTokenizer? Get(ITestOutputHelper output) =>
        SharedFiles.Find(Folder + "/tokenizer.json", output) is null ? null : Loaded.Value;
}
