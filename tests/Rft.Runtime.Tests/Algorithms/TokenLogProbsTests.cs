using Rft.Algorithms;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms;

public class TokenLogProbsTests
{
    [Fact]
    public void Chunked_log_probs_and_entropy_and_their_gradients_equal_the_unfused_computation()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(3);
        var hidden = randn(new long[] { 3, 7, 5 }, generator: generator).requires_grad_();
        var weight = randn(new long[] { 11, 5 }, generator: generator).requires_grad_();
        var targets = randint(0, 11, new long[] { 3, 7 }, generator: generator);

        // Unfused: the whole [N, T, V] log-softmax at once, temperature 0.7.
        var full = (hidden.matmul(weight.t()) / 0.7).log_softmax(-1);
        var expectedLogProbs = full.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
        var expectedEntropy = -(full.exp() * full).sum(-1);
        (expectedLogProbs.sum() + expectedEntropy.sum()).backward();
        var expectedHiddenGrad = hidden.grad!.clone();
        var expectedWeightGrad = weight.grad!.clone();
        hidden.grad!.zero_();
        weight.grad!.zero_();

        // Chunks of at most 2 positions (3 rows x 2 x 11 logits).
        var (logProbs, entropy) = TokenLogProbs.Chunked(hidden, weight, targets, 0.7, withEntropy: true, chunkElements: 66);
        (logProbs.sum() + entropy!.sum()).backward();

        Assert.True(logProbs.allclose(expectedLogProbs, rtol: 1e-5, atol: 1e-6));
        Assert.True(entropy.allclose(expectedEntropy, rtol: 1e-5, atol: 1e-6));
        Assert.True(hidden.grad!.allclose(expectedHiddenGrad, rtol: 1e-4, atol: 1e-6));
        Assert.True(weight.grad!.allclose(expectedWeightGrad, rtol: 1e-4, atol: 1e-6));
    }
}
