using Rft.Models;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary>
/// The model against a direct transcription of Hugging Face's <c>modeling_llama.py</c> (rotate_half,
/// repeat_kv, RMSNorm, SwiGLU) over the same state dict, so checkpoints mean the same thing here.
/// </summary>
public class HuggingFaceReferenceTests
{
    [Fact]
    public void Logits_match_the_hugging_face_formulation()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 21);
        var ids = tensor(new long[] { 1, 5, 6, 7, 12, 3, 1, 9, 9, 4, 15, 2 }, [2, 6]);
        var positions = arange(6L).unsqueeze(0).expand(2, 6);

        var logits = model.Forward(ids, positions, attentionMask: null);
        var reference = Reference(model.Config, model.state_dict(), ids);

        var difference = (logits - reference).abs().max().item<float>();
        Assert.True(difference < 1e-5, $"max |model - reference| = {difference}");
    }

    private static Tensor Reference(LlamaConfig c, Dictionary<string, Tensor> w, Tensor ids)
    {
        using var _ = no_grad();
        long b = ids.shape[0], t = ids.shape[1];
        int hd = c.HeadDim, groups = c.NumHeads / c.NumKvHeads;
        var invFreq = 1.0 / pow(c.RopeTheta, arange(0, hd, 2, ScalarType.Int64).to(ScalarType.Float32) / hd);
        var freqs = arange(t).to(ScalarType.Float32).unsqueeze(1) * invFreq.unsqueeze(0);
        var emb = cat([freqs, freqs], -1);
        Tensor cos = emb.cos(), sin = emb.sin();                                   // [T, hd]
        var causal = ones(t, t, ScalarType.Bool).tril();

        var h = w["model.embed_tokens.weight"].index_select(0, ids.reshape(-1)).view(b, t, c.HiddenSize);
        for (int i = 0; i < c.NumLayers; i++)
        {
            string p = $"model.layers.{i}.";
            var x = RmsNorm(h, w[p + "input_layernorm.weight"], c.RmsNormEps);
            var q = x.matmul(w[p + "self_attn.q_proj.weight"].t()).view(b, t, c.NumHeads, hd).transpose(1, 2);
            var k = x.matmul(w[p + "self_attn.k_proj.weight"].t()).view(b, t, c.NumKvHeads, hd).transpose(1, 2);
            var v = x.matmul(w[p + "self_attn.v_proj.weight"].t()).view(b, t, c.NumKvHeads, hd).transpose(1, 2);
            q = q * cos + RotateHalf(q) * sin;
            k = k * cos + RotateHalf(k) * sin;
            k = RepeatKv(k, groups);
            v = RepeatKv(v, groups);
            var scores = q.matmul(k.transpose(2, 3)) / Math.Sqrt(hd);
            var attended = scores.masked_fill(causal.logical_not(), double.NegativeInfinity).softmax(-1).matmul(v);
            h = h + attended.transpose(1, 2).reshape(b, t, c.HiddenSize).matmul(w[p + "self_attn.o_proj.weight"].t());
            x = RmsNorm(h, w[p + "post_attention_layernorm.weight"], c.RmsNormEps);
            var gate = nn.functional.silu(x.matmul(w[p + "mlp.gate_proj.weight"].t()));
            h = h + (gate * x.matmul(w[p + "mlp.up_proj.weight"].t())).matmul(w[p + "mlp.down_proj.weight"].t());
        }

        return RmsNorm(h, w["model.norm.weight"], c.RmsNormEps).matmul(w["lm_head.weight"].t());
    }

    private static Tensor RmsNorm(Tensor x, Tensor weight, double eps) =>
        weight * (x * (x.pow(2).mean([-1L], keepdim: true) + eps).rsqrt());

    private static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        return cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
    }

    private static Tensor RepeatKv(Tensor x, int groups)
    {
        long b = x.shape[0], kv = x.shape[1], t = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, kv, groups, t, d).reshape(b, kv * groups, t, d);
    }
}
