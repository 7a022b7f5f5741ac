using Rft.Text;

namespace Rft.Models;

/// <summary>A policy read by <see cref="PolicyLoader"/>: the model (owned: dispose it), its tokenizer, and what the load cost.</summary>
/// <param name="Model">The model, on the requested device and dtype, in training mode as loaded.</param>
/// <param name="Tokenizer">The tokenizer that came with it.</param>
/// <param name="Report">Weight bytes, peak resident memory and time of the weight load.</param>
/// <param name="Format">What the path held: <see cref="PolicyFormat"/>.</param>
/// <param name="Source">The full path that was loaded.</param>
public sealed record LoadedPolicy(LlamaForCausalLM Model, ITokenizer Tokenizer, ModelLoadReport Report, PolicyFormat Format, string Source) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
