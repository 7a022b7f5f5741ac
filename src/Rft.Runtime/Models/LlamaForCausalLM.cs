using Rft.Models.Lora;
using Rft.Rollout;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// A Llama-family causal language model whose parameter names are those of Hugging Face checkpoints
/// (<c>model.embed_tokens.weight</c>, <c>model.layers.0.self_attn.q_proj.weight</c>, ...,
/// <c>model.norm.weight</c>, <c>lm_head.weight</c>), so a checkpoint's state dict loads by name.
/// RMSNorm, rotary positions, grouped-query attention, SwiGLU; biases only on q/k/v and only when
/// <see cref="LlamaConfig.QkvBias"/> (Qwen2).
/// </summary>
public sealed partial class LlamaForCausalLM : nn.Module
{
    /// <summary>Standard deviation of the initial weights (Hugging Face's <c>initializer_range</c>).</summary>
    public const double InitializerRange = 0.02;

    private readonly LlamaModel model;
    private readonly Linear? lm_head;     // null when the output projection is tied to the input embedding
    private int _activeVocabulary;

    private LlamaForCausalLM(LlamaConfig config, Device? device, ScalarType dtype) : base(nameof(LlamaForCausalLM))
    {
        config.EnsureValid();
        Config = config;
        model = new LlamaModel(config, device, dtype);
        if (!config.TieWordEmbeddings) lm_head = ParameterFactory.Linear(config.HiddenSize, config.VocabSize, device, dtype);
        _activeVocabulary = config.VocabSize;
        RegisterComponents();
    }

    public LlamaConfig Config { get; }

    /// <summary>The output projection [V, hidden], so callers can compute logits for chunks of positions.</summary>
    public Tensor LmHeadWeight => lm_head?.weight ?? model.EmbedTokensWeight;

    /// <summary>
    /// Ids [0, ActiveVocabulary) are the tokenizer's; the rows above are padding (Qwen2.5 checkpoints carry 151,936
    /// embedding rows for 151,669 tokenizer entries). Sampling, evaluation and training forwards take their logits over
    /// the active rows only (<see cref="OutputWeight"/>), so an id the tokenizer cannot decode is never produced.
    /// </summary>
    public int ActiveVocabulary
    {
        get => _activeVocabulary;
        set
        {
            if (value < 1 || value > Config.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"The active vocabulary must be in [1, {Config.VocabSize}] (the model's embedding rows).");
            _activeVocabulary = value;
        }
    }

    /// <summary>The output projection's active rows [<see cref="ActiveVocabulary"/>, hidden]: a view when padding rows exist, gradients flow to <see cref="LmHeadWeight"/>.</summary>
    public Tensor OutputWeight => _activeVocabulary == Config.VocabSize ? LmHeadWeight : LmHeadWeight.narrow(0, 0, _activeVocabulary);

    /// <summary>
    /// Recompute each decoder layer's activations in backward instead of keeping them (gradient checkpointing): a
    /// training forward then holds one [rows, length, hidden] input per layer instead of every intermediate. Only
    /// forwards that record a graph are affected.
    /// </summary>
    public bool GradientCheckpointing
    {
        get => model.GradientCheckpointing;
        set => model.GradientCheckpointing = value;
    }

    /// <summary>
    /// A model with weights drawn deterministically from <paramref name="seed"/>: every matrix from
    /// N(0, <see cref="InitializerRange"/>) in registration order, norms at one, biases at zero (as Hugging Face's
    /// <c>_init_weights</c>). CPU, float32; move it with <c>to(device)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is inconsistent.</exception>
    public static LlamaForCausalLM Create(LlamaConfig config, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        var created = new LlamaForCausalLM(config, CPU, ScalarType.Float32);
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (_, parameter) in created.named_parameters())
        {
            if (parameter.dim() == 2) parameter.normal_(0, InitializerRange, generator);
        }

        return created;
    }

    /// <summary>The stream the model's LoRA dropout draws its masks from; <see cref="Lora.LoraAdapters.Apply"/> seeds it.</summary>
    public Lora.DropoutRandom DropoutRandom => model.DropoutRandom;

    /// <summary>Converts the weights to <paramref name="dtype"/> and moves them to <paramref name="device"/>, in place; returns this model.</summary>
    public LlamaForCausalLM MoveTo(Device device, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (LmHeadWeight.dtype != dtype) this.to(dtype);
        if (LmHeadWeight.device != device) this.to(device);
        model.DropoutRandom.Follow(device);
        return this;
    }

    /// <summary>
    /// A model whose matrices hold uninitialised memory (norms at one), for loaders that then overwrite
    /// every parameter: drawing random weights first would cost a full pass over the model for nothing.
    /// </summary>
    internal static LlamaForCausalLM CreateUninitialized(LlamaConfig config, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LlamaForCausalLM(config, CPU, dtype);
    }

    /// <summary>
    /// A copy with the same weights on the same device, gradients off and in eval mode: the frozen
    /// reference policy of a KL term. Later updates to this model do not reach the copy. LoRA adapters are copied with
    /// their current weights.
    /// </summary>
    public LlamaForCausalLM CreateFrozenCopy()
    {
        var source = LmHeadWeight;
        var copy = new LlamaForCausalLM(Config, source.device, source.dtype) { _activeVocabulary = _activeVocabulary };
        // LoRA adapters are copied too, so the copy computes what this model computes now.
        var copyLayers = copy.named_modules().Where(m => m.module is AdaptableLinear).ToDictionary(m => m.name, m => (AdaptableLinear)m.module);
        foreach (var (name, module) in named_modules())
        {
            if (module is AdaptableLinear { HasAdapter: true } layer)
                copyLayers[name].AttachAdapter((int)layer.AdapterA!.shape[0], layer.Scale, layer.Dropout, generator: null);
        }

        using (no_grad())
        {
            using var targets = copy.named_parameters().GetEnumerator();
            foreach (var (name, parameter) in named_parameters())
            {
                targets.MoveNext();
                var (targetName, target) = targets.Current;
                if (targetName != name) throw new InvalidOperationException($"Parameter order differs between copies: {name} vs {targetName}.");
                target.copy_(parameter);
            }
        }

        foreach (var parameter in copy.parameters()) parameter.requires_grad = false;
        copy.eval();
        return copy;
    }

    /// <summary>Logits [B, T, V].</summary>
    /// <param name="inputIds">[B, T] long.</param>
    /// <param name="positionIds">[B, T] long; for a left-padded row, real token j has position j (padding positions are ignored).</param>
    /// <param name="attentionMask">[B, T] bool, true on real tokens; null when every token is real.</param>
    public Tensor Forward(Tensor inputIds, Tensor positionIds, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var hidden = model.Forward(inputIds, positionIds, attentionMask, cache: null, offset: 0);
        return nn.functional.linear(hidden, OutputWeight).MoveToOuterDisposeScope();
    }

    /// <summary>Final-normed hidden states [B, T, hidden]; multiply by <see cref="LmHeadWeight"/> for logits.</summary>
    public Tensor ForwardHidden(Tensor inputIds, Tensor positionIds, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        return model.Forward(inputIds, positionIds, attentionMask, cache: null, offset: 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The final-normed hidden states that predict the completion tokens, [rows, T, hidden] (positions [P - 1, P + T - 1) of
    /// <see cref="ForwardHidden"/>), with each distinct prompt run once (<see cref="LlamaModel.ForwardPredicting"/>).
    /// </summary>
    /// <param name="sequences">[rows, P + T] long, prompts left-padded to <paramref name="promptLength"/>, completions right-padded.</param>
    /// <param name="positionIds">[rows, P + T] long.</param>
    /// <param name="attentionMask">[rows, P + T] bool, true on real tokens.</param>
    public Tensor ForwardPredicting(Tensor sequences, Tensor positionIds, Tensor attentionMask, int promptLength, int completionLength)
    {
        using var scope = NewDisposeScope();
        return model.ForwardPredicting(sequences, positionIds, attentionMask, promptLength, completionLength).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Incremental decoding: writes the keys and values of the <c>t</c> input positions at cache slots
    /// [<paramref name="offset"/>, offset + t) of rows [0, B), then attends causally over slots [0, offset + t)
    /// masked by <see cref="KvCache.AttentionMask"/>, which the caller fills for the input slots first.
    /// </summary>
    /// <param name="inputIds">[B, t] long.</param>
    /// <param name="positionIds">[B, t] long.</param>
    /// <returns>Logits [B, t, V].</returns>
    public Tensor ForwardCached(Tensor inputIds, Tensor positionIds, KvCache cache, int offset)
    {
        using var scope = NewDisposeScope();
        var hidden = ForwardCachedHiddenCore(inputIds, positionIds, cache, offset);
        return nn.functional.linear(hidden, OutputWeight).MoveToOuterDisposeScope();
    }

    /// <summary>As <see cref="ForwardCached"/> but returns the final-normed hidden states [B, t, hidden].</summary>
    public Tensor ForwardCachedHidden(Tensor inputIds, Tensor positionIds, KvCache cache, int offset)
    {
        using var scope = NewDisposeScope();
        return ForwardCachedHiddenCore(inputIds, positionIds, cache, offset).MoveToOuterDisposeScope();
    }

    private Tensor ForwardCachedHiddenCore(Tensor inputIds, Tensor positionIds, KvCache cache, int offset)
    {
        ArgumentNullException.ThrowIfNull(cache);
        long rows = inputIds.shape[0], t = inputIds.shape[1];
        if (cache.NumLayers != Config.NumLayers)
            throw new ArgumentException($"The cache has {cache.NumLayers} layers but the model has {Config.NumLayers}.", nameof(cache));
        if (rows > cache.MaxRows)
            throw new ArgumentException($"{rows} rows exceed the cache's MaxRows = {cache.MaxRows}.", nameof(inputIds));
        if (offset < 0 || offset + t > cache.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Slots [{offset}, {offset + t}) do not fit the cache's MaxLength = {cache.MaxLength}.");

        var keyMask = cache.AttentionMask.narrow(0, 0, rows).narrow(1, 0, offset + t);
        return model.Forward(inputIds, positionIds, keyMask, cache, offset);
    }
}
