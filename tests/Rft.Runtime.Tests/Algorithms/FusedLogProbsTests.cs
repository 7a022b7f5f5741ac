using Rft.Algorithms;
using Rft.Models;
using Rft.Runtime.Tests.Algorithms.Peers;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms;

public class FusedLogProbsTests
{
    // N = 2 rows, T = 5 positions, D = 3, V = 7: a chunk bound of 28 logits gives chunks of 2, 2 and 1 positions.
    private const long TwoPositionChunks = 2 * 7 * 2;

    [Theory]
    [InlineData(true, 0.7)]
    [InlineData(false, 1.0)]
    [InlineData(true, 1.0)]
    [InlineData(false, 1.3)]
    public void Gradients_with_respect_to_hidden_states_and_weight_match_finite_differences(bool withEntropy, double temperature)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(11);
        var hidden = randn(new long[] { 2, 5, 3 }, float64, generator: generator);
        var weight = randn(new long[] { 7, 3 }, float64, generator: generator);
        var targets = randint(0, 7, new long[] { 2, 5 }, generator: generator);
        // Distinct upstream weights per position, so a gradient routed to the wrong position or output shows.
        var logProbWeights = randn(new long[] { 2, 5 }, float64, generator: generator);
        var entropyWeights = randn(new long[] { 2, 5 }, float64, generator: generator);

        Tensor Loss(Tensor h, Tensor w)
        {
            var (logProbs, entropy) = FusedLogProbs.Compute(h, w, targets, temperature, withEntropy, TwoPositionChunks);
            var loss = (logProbs * logProbWeights).sum();
            return entropy is null ? loss : loss + (entropy * entropyWeights).sum();
        }

        FiniteDifference.AssertGradientMatches(h => Loss(h, weight), hidden, tolerance: 1e-7);
        FiniteDifference.AssertGradientMatches(w => Loss(hidden, w), weight, tolerance: 1e-7);
    }

    [Theory]
    [InlineData(true, 0.7, TwoPositionChunks)]
    [InlineData(false, 0.7, TwoPositionChunks)]
    [InlineData(true, 1.0, 1L)]                 // one position per chunk
    [InlineData(false, 1.3, 1L << 22)]          // a single chunk
    [InlineData(true, 0.0, 3 * 7 * 2)]          // temperature 0 leaves the logits unchanged; chunks of 3 and 2
    public void Values_and_gradients_equal_the_unfused_computation_in_float32(bool withEntropy, double temperature, long chunkElements)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(5);
        var hidden = (3 * randn(new long[] { 2, 5, 3 }, generator: generator)).requires_grad_();
        var weight = randn(new long[] { 7, 3 }, generator: generator).requires_grad_();
        var targets = randint(0, 7, new long[] { 2, 5 }, generator: generator);
        var logProbWeights = randn(new long[] { 2, 5 }, generator: generator);
        var entropyWeights = randn(new long[] { 2, 5 }, generator: generator);

        var expected = Run(TokenLogProbs.Unfused(hidden, weight, targets, temperature, withEntropy));
        var actual = Run(FusedLogProbs.Compute(hidden, weight, targets, temperature, withEntropy, chunkElements));

        Assert.Equal(withEntropy, actual.Entropy is not null);
        AssertClose(expected.LogProbs, actual.LogProbs, "log-probs");
        if (withEntropy) AssertClose(expected.Entropy!, actual.Entropy!, "entropy");
        AssertClose(expected.HiddenGrad, actual.HiddenGrad, "d/d hidden");
        AssertClose(expected.WeightGrad, actual.WeightGrad, "d/d weight");

        (Tensor LogProbs, Tensor? Entropy, Tensor HiddenGrad, Tensor WeightGrad) Run((Tensor LogProbs, Tensor? Entropy) result)
        {
            hidden.grad?.zero_();
            weight.grad?.zero_();
            var loss = (result.LogProbs * logProbWeights).sum();
            if (result.Entropy is not null) loss = loss + (result.Entropy * entropyWeights).sum();
            loss.backward();
            return (result.LogProbs.detach(), result.Entropy?.detach(), hidden.grad!.clone(), weight.grad!.clone());
        }
    }

    [Fact]
    public void An_unused_entropy_output_contributes_no_gradient()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(8);
        var hidden = randn(new long[] { 2, 5, 3 }, generator: generator).requires_grad_();
        var weight = randn(new long[] { 7, 3 }, generator: generator).requires_grad_();
        var targets = randint(0, 7, new long[] { 2, 5 }, generator: generator);

        TokenLogProbs.Unfused(hidden, weight, targets, 0.7, withEntropy: false).LogProbs.sum().backward();
        var expectedHidden = hidden.grad!.clone();
        var expectedWeight = weight.grad!.clone();
        hidden.grad!.zero_();
        weight.grad!.zero_();

        FusedLogProbs.Compute(hidden, weight, targets, 0.7, withEntropy: true, TwoPositionChunks).LogProbs.sum().backward();
        AssertClose(expectedHidden, hidden.grad!, "d/d hidden");
        AssertClose(expectedWeight, weight.grad!, "d/d weight");
    }

    [Fact]
    public void Only_inputs_that_require_gradients_receive_them_and_no_grad_builds_no_graph()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(9);
        var hidden = randn(new long[] { 2, 5, 3 }, generator: generator);
        var weight = randn(new long[] { 7, 3 }, generator: generator).requires_grad_();
        var targets = randint(0, 7, new long[] { 2, 5 }, generator: generator);

        FusedLogProbs.Compute(hidden, weight, targets, 1.0, withEntropy: true, TwoPositionChunks).LogProbs.sum().backward();
        Assert.Null(hidden.grad);
        Assert.NotNull(weight.grad);

        using (no_grad())
        {
            var (logProbs, entropy) = FusedLogProbs.Compute(hidden, weight, targets, 1.0, withEntropy: true, TwoPositionChunks);
            Assert.False(logProbs.requires_grad);
            Assert.False(entropy!.requires_grad);
            AssertClose(TokenLogProbs.Unfused(hidden, weight, targets, 1.0, withEntropy: false).LogProbs, logProbs, "log-probs");
        }
    }

    [Fact]
    public void Mismatched_shapes_are_rejected_with_the_argument_named()
    {
        using var scope = NewDisposeScope();
        var hidden = zeros(2, 5, 3);
        var exception = Assert.Throws<ArgumentException>(() => FusedLogProbs.Compute(hidden, zeros(7, 4), zeros(new long[] { 2, 5 }, int64), 1.0, false));
        Assert.Equal("weight", exception.ParamName);
        exception = Assert.Throws<ArgumentException>(() => FusedLogProbs.Compute(hidden, zeros(7, 3), zeros(new long[] { 2, 4 }, int64), 1.0, false));
        Assert.Equal("targets", exception.ParamName);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]    // tied embeddings: the projection's gradient adds to the embedding's
    public void Model_parameter_gradients_through_a_nano_llama_equal_the_unfused_ones(bool tieWordEmbeddings)
    {
        using var scope = NewDisposeScope();
        const int vocab = 40, prompt = 3, completion = 7;
        var config = ModelPresets.Get("nano", vocab, maxPositions: 32) with { TieWordEmbeddings = tieWordEmbeddings };
        using var model = LlamaForCausalLM.Create(config, seed: 4);
        var generator = new TorchSharp.torch.Generator(21);
        var sequences = randint(0, vocab, new long[] { 3, prompt + completion }, generator: generator);
        var positions = arange(prompt + completion, dtype: int64).unsqueeze(0).expand(3, -1);
        var advantages = randn(new long[] { 3, completion }, generator: generator);
        var parameters = model.named_parameters().ToList();

        // As TokenLogProbs.Compute: the hidden state at position i predicts the token at i + 1.
        Dictionary<string, Tensor> Gradients(bool fused)
        {
            model.zero_grad();
            var hidden = model.ForwardHidden(sequences, positions, null).narrow(1, prompt - 1, completion);
            var targets = sequences.narrow(1, prompt, completion);
            var (logProbs, entropy) = fused
                ? FusedLogProbs.Compute(hidden, model.LmHeadWeight, targets, 0.9, withEntropy: true, chunkElements: 3 * vocab * 3)
                : TokenLogProbs.Unfused(hidden, model.LmHeadWeight, targets, 0.9, withEntropy: true);
            (-(logProbs * advantages).mean() - 0.01 * entropy!.mean()).backward();
            return parameters.ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        }

        var expected = Gradients(fused: false);
        var actual = Gradients(fused: true);
        foreach (var (name, _) in parameters)
        {
            Assert.True(expected[name].abs().max().item<float>() > 0, $"{name} got no gradient.");
            AssertClose(expected[name], actual[name], name);
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = (expected - actual).abs().max().item<float>();
        double size = expected.abs().max().item<float>();
        Assert.True(error <= 1e-5 + 1e-4 * size, $"{what}: max |difference| {error} (max |expected| {size}).");
    }
}
