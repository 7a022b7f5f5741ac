namespace Rft.Text;

/// <summary>The begin, end, pad and stop ids a tokenizer's configuration files settle on.</summary>
internal sealed record SpecialIds(int? Bos, int Eos, int Pad, IReadOnlyList<int> Stop);
