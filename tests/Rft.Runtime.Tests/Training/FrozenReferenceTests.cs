using Rft.Models.Lora;
using Rft.Runtime.Tests.Models;
using Rft.Training;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

/// <summary>The KL reference: a frozen copy, or under fresh LoRA adapters the policy's own base weights.</summary>
public class FrozenReferenceTests
{
    [Fact]
    public void Under_fresh_adapters_the_base_weights_are_the_reference_a_copy_would_be_and_no_copy_is_made()
    {
        using var scope = NewDisposeScope();
        using var policy = TinyModels.Create(seed: 8);
        LoraAdapters.Apply(policy, new LoraSettings(4, 8, ["q_proj", "v_proj", "down_proj"]), seed: 9);
        var ids = randint(1, 16, [4, 8], generator: new Generator(3));
        var rows = new SequenceRows(ids, ones_like(ids, ScalarType.Bool), arange(8).unsqueeze(0).expand(4, 8).contiguous(), PromptLength: 3, CompletionLength: 5);

        long before = ReferencePolicy.Created;
        using var copy = FrozenReference.Of(policy, baseWeightsAreReference: false);
        using var shared = FrozenReference.Of(policy, baseWeightsAreReference: true);
        Assert.Equal(before + 2, ReferencePolicy.Created);
        Assert.False(copy.SharesPolicyWeights);
        Assert.True(shared.SharesPolicyWeights);

        // Train the adapters away from B = 0: the policy moves, its reference does not.
        using (no_grad())
        {
            foreach (var (name, parameter) in policy.named_parameters())
                if (name.Contains("lora_B", StringComparison.Ordinal)) parameter.normal_(0, 0.5, new Generator(4));
        }

        var policyLogProbs = PolicyForward.LogProbsWithoutGrad(policy, rows, 1.0, microBatchSize: 0);
        var fromCopy = copy.LogProbs(rows, 1.0, microBatchSize: 3);
        var fromBase = shared.LogProbs(rows, 1.0, microBatchSize: 3);
        Assert.True(fromBase.allclose(fromCopy, rtol: 1e-5, atol: 1e-6), "the base weights are not the reference");
        Assert.False(policyLogProbs.allclose(fromCopy, rtol: 1e-3, atol: 1e-3), "the adapters did not move the policy: the test would prove nothing");
        // The adapters are back on after the reference's forward.
        Assert.True(PolicyForward.LogProbsWithoutGrad(policy, rows, 1.0, microBatchSize: 0).allclose(policyLogProbs));
    }
}
