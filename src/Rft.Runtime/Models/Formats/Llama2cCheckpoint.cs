using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Models.Formats;

/// <summary>
/// Imports a checkpoint in the format of Karpathy's llama2.c (<c>run.c</c>, the "legacy" version 0
/// export): seven little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
/// seq_len; a negative vocab_size means the classifier is not shared with the embedding), then float32
/// weights: token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3 (each stacked over layers),
/// rms_final, two unused RoPE tables of seq_len * head_size / 2 floats, and wcls when unshared.
/// </summary>
/// <remarks>
/// llama2.c rotates interleaved pairs (x[2i], x[2i+1]) of each head while Hugging Face's
/// <c>rotate_half</c> rotates (x[i], x[i + d/2]). Permuting the rows of wq and wk within each head
/// (2i -> i, 2i+1 -> d/2 + i), as transformers' <c>convert_llama_weights_to_hf.py</c> does, makes the
/// Hugging Face formulation compute the same function; attention scores are unchanged because q and k
/// are permuted alike. w1, w3 and w2 are gate_proj, up_proj and down_proj.
/// </remarks>
public static class Llama2cCheckpoint
{
    private const int HeaderBytes = 7 * sizeof(int);

    /// <summary>RMSNorm epsilon hard-coded in run.c.</summary>
    public const double RmsNormEps = 1e-5;

    /// <summary>Reads the header of <paramref name="path"/> as a model shape.</summary>
    /// <exception cref="FormatException">The header is inconsistent or the file size disagrees with it.</exception>
    public static LlamaConfig ReadConfig(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path).Config;
    }

    /// <summary>Loads <paramref name="path"/> as a float32 CPU model, streaming each tensor into its parameter.</summary>
    /// <exception cref="FormatException">The header is inconsistent or the file size disagrees with it.</exception>
    public static LlamaForCausalLM Load(string path) => Load(path, out _);

    /// <summary>
    /// Loads <paramref name="path"/> as a CPU model of <paramref name="dtype"/>, streaming each tensor into its parameter
    /// (through one float32 staging tensor of that tensor's size when the dtype differs), and reports the weight bytes,
    /// the peak resident memory and the time.
    /// </summary>
    /// <exception cref="FormatException">The header is inconsistent or the file size disagrees with it.</exception>
    /// <param name="maxPositions">Overrides the header's seq_len as the length of the rotary tables; null keeps it.</param>
    public static LlamaForCausalLM Load(string path, out ModelLoadReport report, ScalarType dtype = ScalarType.Float32, int? maxPositions = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var meter = LoadMeter.Start();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var (config, sharedClassifier) = ReadHeader(stream, path);
        var model = LlamaForCausalLM.CreateUninitialized(maxPositions is int positions ? config with { MaxPositions = positions } : config, dtype);
        try
        {
            using var _ = no_grad();
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            // One float32 staging buffer for every tensor that is not read in place (permuted q/k, or another dtype).
            long stagingSize = dtype == ScalarType.Float32
                ? parameters.Where(p => p.Key.Contains("q_proj", StringComparison.Ordinal) || p.Key.Contains("k_proj", StringComparison.Ordinal)).Max(p => p.Value.numel())
                : parameters.Values.Max(p => p.numel());
            using var staging = empty(stagingSize, ScalarType.Float32, CPU);
            void Read(Stream stream, string path, Tensor target) => ReadStaged(stream, path, target, staging);
            void ReadRotary(Stream stream, string path, Tensor target, int heads) => ReadRotaryStaged(stream, path, target, heads, staging);
            int layers = config.NumLayers, heads = config.NumHeads, kvHeads = config.NumKvHeads;
            string Layer(int i, string name) => $"model.layers.{i}.{name}.weight";

            Read(stream, path, parameters["model.embed_tokens.weight"]);
            for (int i = 0; i < layers; i++) Read(stream, path, parameters[Layer(i, "input_layernorm")]);
            for (int i = 0; i < layers; i++) ReadRotary(stream, path, parameters[Layer(i, "self_attn.q_proj")], heads);
            for (int i = 0; i < layers; i++) ReadRotary(stream, path, parameters[Layer(i, "self_attn.k_proj")], kvHeads);
            for (int i = 0; i < layers; i++) Read(stream, path, parameters[Layer(i, "self_attn.v_proj")]);
            for (int i = 0; i < layers; i++) Read(stream, path, parameters[Layer(i, "self_attn.o_proj")]);
            for (int i = 0; i < layers; i++) Read(stream, path, parameters[Layer(i, "post_attention_layernorm")]);
            for (int i = 0; i < layers; i++) Read(stream, path, parameters[Layer(i, "mlp.gate_proj")]);     // w1
            for (int i = 0; i < layers; i++) Read(stream, path, parameters[Layer(i, "mlp.down_proj")]);     // w2
            for (int i = 0; i < layers; i++) Read(stream, path, parameters[Layer(i, "mlp.up_proj")]);       // w3
            Read(stream, path, parameters["model.norm.weight"]);
            stream.Seek(2L * config.MaxPositions * (config.HeadDim / 2) * sizeof(float), SeekOrigin.Current);   // freq_cis_real, freq_cis_imag
            if (!sharedClassifier) Read(stream, path, parameters["lm_head.weight"]);
            report = meter.Finish(model);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static (LlamaConfig Config, bool SharedClassifier) ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < HeaderBytes)
            throw new FormatException($"{path}: {fileLength} bytes, too short for the 28-byte llama2.c header (truncated, or not a llama2.c checkpoint).");
        var header = new byte[HeaderBytes];
        stream.ReadExactly(header);
        int Field(int i) => BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(i * 4));
        int dim = Field(0), hidden = Field(1), layers = Field(2), heads = Field(3), kvHeads = Field(4), vocab = Field(5), seqLen = Field(6);
        if (vocab == 0 || vocab == int.MinValue)
            throw new FormatException($"{path}: vocab_size = {vocab} in the llama2.c header is not a vocabulary size.");

        var config = new LlamaConfig(Math.Abs(vocab), dim, hidden, layers, heads, kvHeads, seqLen, RopeTheta: 10000, RmsNormEps, TieWordEmbeddings: vocab > 0);
        var problems = config.Problems();
        if (problems.Count > 0)
        {
            throw new FormatException(
                $"{path}: the llama2.c header (dim {dim}, hidden_dim {hidden}, n_layers {layers}, n_heads {heads}, n_kv_heads {kvHeads}, vocab_size {vocab}, seq_len {seqLen}) is inconsistent: {string.Join(" ", problems)}");
        }

        long expected = checked(HeaderBytes + sizeof(float) * FloatCount(config));
        if (fileLength != expected)
        {
            throw new FormatException(
                $"{path}: the llama2.c header implies {expected} bytes ({(vocab > 0 ? "shared" : "separate")} classifier) but the file has {fileLength} (truncated, or a different export version).");
        }

        return (config, vocab > 0);
    }

    private static long FloatCount(LlamaConfig c)
    {
        checked
        {
            long dim = c.HiddenSize, hidden = c.IntermediateSize, layers = c.NumLayers, headDim = c.HeadDim, kvDim = (long)c.NumKvHeads * headDim;
            long perLayer = dim + dim * dim + 2 * dim * kvDim + dim * dim + dim + 3 * dim * hidden;
            long count = (long)c.VocabSize * dim + layers * perLayer + dim + 2L * c.MaxPositions * (headDim / 2);
            return c.TieWordEmbeddings ? count : count + (long)c.VocabSize * dim;
        }
    }

    private static void ReadStaged(Stream stream, string path, Tensor target, Tensor staging)
    {
        if (target.dtype != ScalarType.Float32)
        {
            using var view = staging.narrow(0, 0, target.numel()).view(target.shape);
            ReadFloats(stream, path, view);
            target.copy_(view);
            return;
        }

        ReadFloats(stream, path, target);
    }

    private static void ReadFloats(Stream stream, string path, Tensor target)
    {
        long bytes = target.numel() * sizeof(float);
        TensorBytes.ForEachChunk(target, bytes, (span, _) =>
        {
            try
            {
                stream.ReadExactly(span);
            }
            catch (EndOfStreamException e)
            {
                throw new FormatException($"{path}: unexpected end of file while reading weights (the file changed while loading?).", e);
            }
        });
    }

    // [heads * d, in] with interleaved rotary pairs -> rotate_half order within each head.
    private static void ReadRotaryStaged(Stream stream, string path, Tensor target, int heads, Tensor staging)
    {
        using var scope = NewDisposeScope();
        long rows = target.shape[0], columns = target.shape[1], headDim = rows / heads;
        var interleaved = staging.narrow(0, 0, rows * columns).view(rows, columns);      // float32, as stored
        ReadFloats(stream, path, interleaved);
        target.copy_(interleaved.view(heads, headDim / 2, 2, columns).transpose(1, 2).reshape(rows, columns));
    }
}
