using System.Buffers.Binary;
using Rft.Models;
using Rft.Models.Formats;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models.Formats;

/// <summary>The llama2.c importer on synthetic files, so its layout and checks are exercised without ../shared.</summary>
public sealed class Llama2cCheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rft-llama2c-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Weights_land_in_their_hugging_face_places(bool shared)
    {
        using var scope = NewDisposeScope();
        // dim 8, hidden 12, 2 layers, 2 heads, 1 kv head, vocab 5, seq 4: float k of the file holds value k.
        int[] header = [8, 12, 2, 2, 1, shared ? 5 : -5, 4];
        int floats = 5 * 8 + 2 * (8 + 64 + 2 * 32 + 64 + 8 + 3 * 96) + 8 + 2 * 4 * 2 + (shared ? 0 : 40);
        string path = Write("counting.bin", header, floats);

        using var model = Llama2cCheckpoint.Load(path);

        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(shared, model.Config.TieWordEmbeddings);
        Assert.Equal(0f, p["model.embed_tokens.weight"][0, 0].item<float>());
        Assert.Equal(40f + 8, p["model.layers.1.input_layernorm.weight"][0].item<float>());            // rms_att layer 1
        // wq layer 0 starts at 56; head 0 has 4 rows: llama2.c rows 0,1,2,3 -> HF rows 0,2,1,3.
        var q = p["model.layers.0.self_attn.q_proj.weight"];
        Assert.Equal(new[] { 56f, 56 + 16, 56 + 8, 56 + 24 }, Enumerable.Range(0, 4).Select(r => q[r, 0].item<float>()));
        long w1 = 40 + 16 + 128 + 64 + 64 + 128 + 16;                                                    // after rms_ffn
        Assert.Equal(w1, p["model.layers.0.mlp.gate_proj.weight"][0, 0].item<float>());
        Assert.Equal(w1 + 2 * 96, p["model.layers.0.mlp.down_proj.weight"][0, 0].item<float>());        // w2
        Assert.Equal(w1 + 4 * 96, p["model.layers.0.mlp.up_proj.weight"][0, 0].item<float>());          // w3
        Assert.Equal(shared ? 39f : floats - 1f, model.LmHeadWeight[4, 7].item<float>());                 // embedding or wcls, last float
    }

    [Fact]
    public void Size_mismatch_and_bad_header_are_rejected()
    {
        string truncated = Write("truncated.bin", [8, 12, 2, 2, 1, 5, 4], floats: 100);
        string heads = Write("heads.bin", [8, 12, 2, 3, 1, 5, 4], floats: 100);

        Assert.Contains("the llama2.c header implies 4252 bytes (shared classifier) but the file has 428",
            Assert.Throws<FormatException>(() => Llama2cCheckpoint.Load(truncated)).Message);
        Assert.Contains("HiddenSize = 8 must be a multiple of NumHeads = 3",
            Assert.Throws<FormatException>(() => Llama2cCheckpoint.Load(heads)).Message);
    }

    private string Write(string name, int[] header, int floats)
    {
        var bytes = new byte[28 + 4 * floats];
        for (int i = 0; i < 7; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), header[i]);
        for (int k = 0; k < floats; k++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(28 + 4 * k), k);
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
