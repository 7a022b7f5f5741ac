using Rft.Models;
using Rft.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary>Small configurations and hand-wired models that keep the model and rollout tests fast.</summary>
public static class TinyModels
{
    /// <summary>Two layers, four query heads sharing two key/value heads (so grouped-query attention is exercised).</summary>
    public static LlamaConfig Config(int vocabSize = 16, bool tied = false) =>
        new(vocabSize, HiddenSize: 32, IntermediateSize: 64, NumLayers: 2, NumHeads: 4, NumKvHeads: 2, MaxPositions: 64, TieWordEmbeddings: tied);

    public static LlamaForCausalLM Create(long seed = 1, int vocabSize = 16) => LlamaForCausalLM.Create(Config(vocabSize), seed);

    /// <summary>
    /// A model whose greedy next token depends only on the current one: attention and MLP outputs are
    /// zeroed, embeddings are one-hot, so the logits are <c>lm_head</c>'s column for the current token.
    /// <paramref name="next"/> maps each token id to the id it should be followed by.
    /// </summary>
    public static LlamaForCausalLM Markov(Func<int, int> next, int vocabSize = 16)
    {
        var model = Create(seed: 3, vocabSize);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var _ = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            if (name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal))
                parameter.zero_();
        }

        var head = new float[vocabSize * model.Config.HiddenSize];
        for (int id = 0; id < vocabSize; id++) head[next(id) * model.Config.HiddenSize + id] = 10f;
        using var headTensor = tensor(head, [vocabSize, model.Config.HiddenSize]);
        using var oneHot = eye(vocabSize, model.Config.HiddenSize);
        parameters["model.embed_tokens.weight"].copy_(oneHot);
        parameters["lm_head.weight"].copy_(headTensor);
        return model;
    }

    public static CharTokenizer Tokenizer() => new("abcdefgh");
}
