namespace Rft.Generators.Specs;

/// <summary>[Lora]: low-rank adapters instead of full fine-tuning.</summary>
/// <param name="Targets">Comma-separated projection names, validated.</param>
/// <param name="WarmUp">Adapters from the start, so the warm-up trains them too; else they are added when RL starts.</param>
internal sealed record LoraSpec(bool Enabled, int Rank, double Alpha, string Targets, double Dropout, bool WarmUp);
