using System.Text;
using Microsoft.ML.Tokenizers;

namespace Rft.Text;

/// <summary>The <c>NFC</c> normalizer of a tokenizer.json: Unicode canonical composition (e + U+0301 becomes é).</summary>
internal sealed class NfcNormalizer : Normalizer
{
    public static NfcNormalizer Instance { get; } = new();

    public override string Normalize(string original) => original.IsNormalized(NormalizationForm.FormC) ? original : original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
