namespace Rft.Models;

/// <summary>
/// Shape of a Llama-family decoder, with Hugging Face's field meanings
/// (<c>hidden_size</c>, <c>intermediate_size</c>, <c>num_attention_heads</c>, <c>num_key_value_heads</c>...).
/// </summary>
/// <param name="MaxPositions">Longest sequence the rotary tables cover (prompt plus completion).</param>
/// <param name="TieWordEmbeddings">When true the output projection reuses the input embedding and no <c>lm_head</c> exists.</param>
public sealed record LlamaConfig(
    int VocabSize,
    int HiddenSize,
    int IntermediateSize,
    int NumLayers,
    int NumHeads,
    int NumKvHeads,
    int MaxPositions,
    double RopeTheta = 10000,
    double RmsNormEps = 1e-5,
    bool TieWordEmbeddings = false)
{
    /// <summary>
    /// Whether the query, key and value projections carry biases, as Qwen2's do (Hugging Face's Qwen2
    /// checkpoints store <c>q_proj.bias</c>, <c>k_proj.bias</c>, <c>v_proj.bias</c>; <c>o_proj</c> has none).
    /// </summary>
    public bool QkvBias { get; init; }

    /// <summary>RoPE scaling (Hugging Face's <c>rope_scaling</c>); null for plain rotary frequencies.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>
    /// Sliding-window attention: a token attends to at most this many positions, itself included (keys at
    /// <c>q - W &lt; k &lt;= q</c>, as transformers' <c>sliding_window_overlay</c>); null attends to every earlier position.
    /// Applies to layers from <see cref="MaxWindowLayers"/> on (Mistral: all; Qwen2: <c>max_window_layers</c>).
    /// </summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Qwen2's <c>max_window_layers</c>: layers below this index attend fully, the rest use <see cref="SlidingWindow"/>. 0 (Mistral) windows every layer.</summary>
    public int MaxWindowLayers { get; init; }

    /// <summary>Whether layer <paramref name="layer"/> attends through the sliding window.</summary>
    public bool UsesSlidingWindow(int layer) => SlidingWindow is not null && layer >= MaxWindowLayers;

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Query heads that share one key/value head (grouped-query attention).</summary>
    public int KvGroups => NumHeads / NumKvHeads;

    /// <summary>One message per inconsistent field; empty when the configuration is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (VocabSize < 1) problems.Add($"VocabSize = {VocabSize} must be at least 1.");
        if (HiddenSize < 1) problems.Add($"HiddenSize = {HiddenSize} must be at least 1.");
        if (IntermediateSize < 1) problems.Add($"IntermediateSize = {IntermediateSize} must be at least 1.");
        if (NumLayers < 1) problems.Add($"NumLayers = {NumLayers} must be at least 1.");
        if (MaxPositions < 1) problems.Add($"MaxPositions = {MaxPositions} must be at least 1.");
        if (NumHeads < 1) problems.Add($"NumHeads = {NumHeads} must be at least 1.");
        else if (HiddenSize % NumHeads != 0) problems.Add($"HiddenSize = {HiddenSize} must be a multiple of NumHeads = {NumHeads}.");
        else if (HeadDim % 2 != 0) problems.Add($"HiddenSize / NumHeads = {HeadDim} must be even for rotary embeddings.");
        if (NumKvHeads < 1) problems.Add($"NumKvHeads = {NumKvHeads} must be at least 1.");
        else if (NumHeads >= 1 && NumHeads % NumKvHeads != 0) problems.Add($"NumHeads = {NumHeads} must be a multiple of NumKvHeads = {NumKvHeads}.");
        if (!(RopeTheta > 0)) problems.Add($"RopeTheta = {RopeTheta} must be positive.");
        if (!(RmsNormEps > 0)) problems.Add($"RmsNormEps = {RmsNormEps} must be positive.");
        if (SlidingWindow < 1) problems.Add($"SlidingWindow = {SlidingWindow} must be at least 1 (or null for full attention).");
        if (MaxWindowLayers < 0) problems.Add($"MaxWindowLayers = {MaxWindowLayers} must not be negative.");
        if (RopeScaling is not null) problems.AddRange(RopeScaling.Problems());
        return problems;
    }

    /// <exception cref="ArgumentException">The configuration is inconsistent; the message lists every problem.</exception>
    public void EnsureValid()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException("Invalid LlamaConfig: " + string.Join(" ", problems));
    }
}
