using static TorchSharp.torch;

namespace Rft.Algorithms;

/// <summary>
/// The autograd node behind <see cref="FusedLogProbs"/>. Inputs: hidden [N, T, D], weight [V, D], targets [N, T]
/// (long), then temperature (double), withEntropy (bool) and positions per chunk (long). Outputs: log-probs
/// [N, T] and, with entropy, entropies [N, T].
/// </summary>
/// <remarks>
/// With <c>z = h Wᵀ / τ</c> (one row of logits), <c>lse = logsumexp(z)</c>, <c>p = softmax(z)</c>,
/// <c>log p = z - lse</c> and <c>H = -Σ p log p</c>:
/// <c>∂ log p_y / ∂z_j = δ_jy - p_j</c> and <c>∂H / ∂z_j = -p_j (z_j - E_p[z]) = -p_j (log p_j + H)</c>.
/// With upstream gradients <c>a</c> (log-prob) and <c>b</c> (entropy) the logit gradient is therefore
/// <c>g_j = a δ_jy - p_j (a + b (log p_j + H))</c>, and <c>∂/∂h = g W / τ</c>, <c>∂/∂W = gᵀ h / τ</c>.
/// Forward keeps only <c>lse</c> and <c>H</c>; backward recomputes each chunk's logits, so at most one chunk of
/// [N, c, V] logits (and its gradient) exists at a time, in either pass.
/// Precision: the projections run in the inputs' dtype (bfloat16 under mixed precision, as verl's logits under
/// autocast); each chunk's logits are then taken to float32, so log-probs, entropies and the logit gradient are
/// float32 whatever the model's dtype, and the weight gradient is accumulated over chunks in float32.
/// </remarks>
internal sealed class FusedLogProbFunction : autograd.MultiTensorFunction<FusedLogProbFunction>
{
    private const string TemperatureKey = "temperature", EntropyKey = "withEntropy", ChunkKey = "chunk",
        HiddenGradKey = "hiddenNeedsGrad", WeightGradKey = "weightNeedsGrad";

    public override string Name => nameof(FusedLogProbFunction);

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (hidden, weight, targets) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        double temperature = (double)vars[3];
        bool withEntropy = (bool)vars[4];
        long chunk = (long)vars[5];

        using var scope = NewDisposeScope();
        long n = hidden.shape[0], t = hidden.shape[1];
        var dtype = ComputeType(hidden.dtype);
        var logProbs = empty(new[] { n, t }, dtype, hidden.device);
        var logNormalizer = empty(new[] { n, t }, dtype, hidden.device);
        var entropy = withEntropy ? empty(new[] { n, t }, dtype, hidden.device) : null;
        for (long start = 0; start < t; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long length = Math.Min(chunk, t - start);
            var logits = Logits(hidden.narrow(1, start, length), weight, temperature);            // [N, c, V]
            var lse = logits.logsumexp(-1);                                                        // [N, c]
            logNormalizer.narrow(1, start, length).copy_(lse);
            var targetLogits = logits.gather(-1, targets.narrow(1, start, length).unsqueeze(-1)).squeeze(-1);
            logProbs.narrow(1, start, length).copy_(targetLogits - lse);
            if (entropy is not null)
            {
                var logSoftmax = logits.sub_(lse.unsqueeze(-1));                                   // in place: log p
                entropy.narrow(1, start, length).copy_(logSoftmax.exp().mul_(logSoftmax).sum(-1).neg_());
            }
        }

        // Only tensors that are not outputs are saved, so the node holds no reference cycle through its outputs.
        var saved = new List<Tensor> { hidden, weight, targets, logNormalizer };
        if (entropy is not null) saved.Add(entropy);
        ctx.save_for_backward(saved);
        ctx.save_data(TemperatureKey, temperature);
        ctx.save_data(EntropyKey, withEntropy);
        ctx.save_data(ChunkKey, chunk);
        ctx.save_data(HiddenGradKey, hidden.requires_grad);
        ctx.save_data(WeightGradKey, weight.requires_grad);

        // The saved tensors must outlive this call: the node records them after forward returns.
        var outputs = new List<Tensor> { logProbs };
        if (entropy is not null) outputs.Add(entropy.clone());
        logNormalizer.MoveToOuterDisposeScope();
        entropy?.MoveToOuterDisposeScope();
        foreach (var output in outputs) output.MoveToOuterDisposeScope();
        return outputs;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        double temperature = (double)ctx.get_data(TemperatureKey);
        bool withEntropy = (bool)ctx.get_data(EntropyKey);
        long chunk = (long)ctx.get_data(ChunkKey);
        bool hiddenNeedsGrad = (bool)ctx.get_data(HiddenGradKey), weightNeedsGrad = (bool)ctx.get_data(WeightGradKey);

        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (hidden, weight, targets, logNormalizer) = (saved[0], saved[1], saved[2], saved[3]);
        var entropy = withEntropy ? saved[4] : null;
        var logProbGrad = grad_outputs[0];                                  // [N, T]
        var entropyGrad = withEntropy ? grad_outputs[1] : null;            // [N, T]
        long t = hidden.shape[1], v = weight.shape[0], d = weight.shape[1];
        bool scale = Scales(temperature);

        var hiddenGrad = hiddenNeedsGrad ? empty(hidden.shape, hidden.dtype, hidden.device) : null;
        bool lowPrecision = ComputeType(weight.dtype) != weight.dtype;
        var weightGrad = weightNeedsGrad ? zeros(weight.shape, ComputeType(weight.dtype), weight.device) : null;   // float32 under mixed precision
        for (long start = 0; start < t; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long length = Math.Min(chunk, t - start);
            var hiddenChunk = hidden.narrow(1, start, length);
            var logSoftmax = Logits(hiddenChunk, weight, temperature).sub_(logNormalizer.narrow(1, start, length).unsqueeze(-1));
            // 1/τ of ∂z/∂h and ∂z/∂W is folded into the [N, c, 1] coefficients, saving passes over [N, c, V].
            var a = logProbGrad.narrow(1, start, length).unsqueeze(-1) / (scale ? temperature : 1.0);   // [N, c, 1]

            // g/τ = (a·onehot(y) - p (a + b (log p + H))) / τ, built in place over the chunk.
            Tensor logitGrad;
            if (entropyGrad is null)
            {
                logitGrad = logSoftmax.exp_().mul_(-a);
            }
            else
            {
                var probabilities = logSoftmax.exp();
                var b = entropyGrad.narrow(1, start, length).unsqueeze(-1) / (scale ? temperature : 1.0);
                var coefficient = logSoftmax.add_(entropy!.narrow(1, start, length).unsqueeze(-1)).mul_(-b).sub_(a);
                logitGrad = probabilities.mul_(coefficient);
            }

            logitGrad.scatter_add_(-1, targets.narrow(1, start, length).unsqueeze(-1), a);
            if (lowPrecision)
            {
                // The projections' gradients in the model's dtype, as autocast would run them.
                var projected = logitGrad.to(weight.dtype);
                hiddenGrad?.narrow(1, start, length).copy_(projected.matmul(weight));
                weightGrad?.add_(projected.reshape(-1, v).t().matmul(hiddenChunk.reshape(-1, d)));
            }
            else
            {
                hiddenGrad?.narrow(1, start, length).copy_(logitGrad.matmul(weight));
                weightGrad?.addmm_(logitGrad.reshape(-1, v).t(), hiddenChunk.reshape(-1, d));
            }
        }

        if (weightGrad is not null && lowPrecision) weightGrad = weightGrad.to(weight.dtype);

        // Returned gradients must stay alive until the engine has taken its own reference after this call.
        return new List<Tensor>
        {
            hiddenGrad?.MoveToOuterDisposeScope()!, weightGrad?.MoveToOuterDisposeScope()!, null!, null!, null!, null!,
        };
    }

    /// <summary>Temperature 0 or 1 leaves the logits unchanged, as at sampling time.</summary>
    internal static bool Scales(double temperature) => temperature > 0 && temperature != 1.0;

    /// <summary>
    /// Scaled float32 logits of a chunk; dividing the [N, c, D] hidden states is cheaper than the [N, c, V] logits. The
    /// projection runs in the inputs' dtype; a low-precision result is taken to float32 before any softmax arithmetic.
    /// </summary>
    private static Tensor Logits(Tensor hidden, Tensor weight, double temperature)
    {
        var logits = (Scales(temperature) ? hidden / temperature : hidden).matmul(weight.t());
        return ComputeType(logits.dtype) == logits.dtype ? logits : logits.to(ComputeType(logits.dtype));
    }

    /// <summary>The dtype of the softmax arithmetic: float32 for the 16-bit types, else the inputs' own.</summary>
    internal static ScalarType ComputeType(ScalarType dtype) => dtype is ScalarType.BFloat16 or ScalarType.Float16 ? ScalarType.Float32 : dtype;
}
