using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// The token embedding table (<c>embed_tokens.weight</c>, [V, hidden]). A plain parameter rather than
/// TorchSharp's <c>Embedding</c>, whose <c>weight</c> property can return a tensor other than the
/// registered parameter (seen with <c>Embedding_from_pretrained</c> in 0.107), which would break tied
/// output projections and weight loading.
/// </summary>
public sealed partial class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    public TokenEmbedding(int count, int size, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(TokenEmbedding))
    {
        weight = ParameterFactory.Parameter(empty(count, size, dtype, device));
        RegisterComponents();
    }

    /// <summary>[V, hidden]</summary>
    public Parameter Weight => weight;

    /// <param name="ids">[B, T] long.</param>
    /// <returns>[B, T, hidden]</returns>
    public override Tensor forward(Tensor ids) =>
        weight.index_select(0, ids.reshape(-1)).view(ids.shape[0], ids.shape[1], weight.shape[1]);
}
