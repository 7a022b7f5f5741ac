using Rft.Models;
using Rft.Models.Lora;
using Rft.Training.Forward;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models;

/// <summary>
/// The training step's forwards run each distinct prompt once when rows share it (<c>LlamaModel.ForwardPredicting</c>):
/// the log-probs and gradients must be those of the whole-row forward, up to the order of floating-point sums.
/// </summary>
public sealed class SharedPromptForwardTests
{
    public static TheoryData<string> Shapes => ["grouped-query", "qkv-bias-and-sliding-window", "tied", "lora"];

    private static LlamaForCausalLM Create(string shape)
    {
        var config = shape switch
        {
            "qkv-bias-and-sliding-window" => TinyModels.Config() with { NumLayers = 3, QkvBias = true, SlidingWindow = 3, MaxWindowLayers = 1 },
            "tied" => TinyModels.Config(tied: true),
            _ => TinyModels.Config(),
        };
        var model = LlamaForCausalLM.Create(config, seed: 21);
        if (shape == "lora")
        {
            LoraAdapters.Apply(model, new LoraSettings(4, 8, ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "down_proj"]), seed: 4);
            using var _ = no_grad();
            using var generator = new Generator(6);
            foreach (var (_, parameter) in model.named_parameters().Where(p => p.name.Contains("lora_B"))) parameter.copy_(randn(parameter.shape, generator: generator) * 0.1);
        }

        return model;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Log_probs_and_gradients_equal_the_whole_row_forward(string shape)
    {
        using var scope = NewDisposeScope();
        using var shared = Create(shape);
        using var whole = Create(shape);
        whole.SharePrompts = false;
        var rows = GroupedRows();

        using (no_grad())
        {
            var a = PolicyForward.LogProbs(shared, rows, 1.0, withEntropy: true);
            var b = PolicyForward.LogProbs(whole, rows, 1.0, withEntropy: true);
            Assert.True(a.LogProbs.allclose(b.LogProbs, rtol: 1e-5, atol: 1e-6), $"log-probs differ by {(a.LogProbs - b.LogProbs).abs().max().item<float>()}");
            Assert.True(a.Entropy!.allclose(b.Entropy!, rtol: 1e-5, atol: 1e-6), "entropies");
        }

        Assert.Equal(1, shared.SharedPromptForwards);
        Assert.Equal(0, whole.SharedPromptForwards);

        Loss(shared, rows).backward();
        Loss(whole, rows).backward();
        Assert.Equal(2, shared.SharedPromptForwards);
        var names = whole.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int compared = 0;
        foreach (var (name, parameter) in shared.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            var expected = names[name].grad!;
            Assert.True(parameter.grad!.allclose(expected, rtol: 1e-4, atol: 1e-6), $"{name}'s gradient differs by {(parameter.grad! - expected).abs().max().item<float>()}");
            Assert.True(expected.abs().max().item<float>() > 0, $"{name}'s gradient is zero: the comparison would be empty");
            compared++;
        }

        Assert.True(compared > 0);
    }

    [Fact]
    public void Rows_with_fewer_than_two_per_prompt_run_whole()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 22);
        using (no_grad())
        {
            PolicyForward.LogProbs(model, GroupedRows().Select(tensor(new long[] { 0, 1, 2 })), 1.0, withEntropy: false);      // three prompts
            PolicyForward.LogProbs(model, GroupedRows().Select(tensor(new long[] { 0, 1, 2, 3, 4 })), 1.0, withEntropy: false);   // three prompts in five rows
            Assert.Equal(0, model.SharedPromptForwards);
            PolicyForward.LogProbs(model, GroupedRows().Select(tensor(new long[] { 0, 1, 2, 3, 4, 5 })), 1.0, withEntropy: false);   // three in six
            Assert.Equal(1, model.SharedPromptForwards);
        }
    }

    [Fact]
    public void Rows_whose_prompts_share_tokens_but_not_padding_are_not_merged()
    {
        using var scope = NewDisposeScope();
        using var shared = TinyModels.Create(seed: 23);
        using var whole = TinyModels.Create(seed: 23);
        whole.SharePrompts = false;
        // The same four prompt tokens, padding id 0 being also a real token of rows 1 and 3: the masks tell them apart.
        var ids = tensor(new long[] { 0, 5, 6, 7, 8, 9, 3, 0, 5, 6, 7, 8, 9, 3, 0, 5, 6, 7, 2, 4, 0, 0, 5, 6, 7, 4, 4, 0 }, [4, 7]);
        var mask = tensor(new[]
        {
            false, true, true, true, true, true, true, true, true, true, true, true, true, true,
            false, true, true, true, true, true, false, true, true, true, true, true, true, false,
        }, [4, 7]);
        var positions = tensor(new long[] { 0, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 3, 4, 0, 0, 1, 2, 3, 4, 5, 0 }, [4, 7]);
        var rows = new SequenceRows(ids, mask, positions, PromptLength: 4, CompletionLength: 3);
        using (no_grad())
        {
            var a = PolicyForward.LogProbs(shared, rows, 1.0, withEntropy: false).LogProbs;
            var b = PolicyForward.LogProbs(whole, rows, 1.0, withEntropy: false).LogProbs;
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
        }

        Assert.Equal(1, shared.SharedPromptForwards);   // rows 0 and 2 share a prompt, rows 1 and 3 the other
    }

    // Three prompts (two left-padded) x three completions of different lengths, the rows out of group order.
    private static SequenceRows GroupedRows()
    {
        long[][] prompts = [[0, 0, 3, 4], [5, 6, 7, 8], [0, 9, 10, 11]];
        long[][] completions = [[1, 2, 3, 4, 0], [6, 2, 0, 0, 0], [7, 7, 8, 9, 10], [12, 13, 14, 0, 0], [2, 0, 0, 0, 0], [15, 1, 3, 5, 7]];
        int[] promptOf = [0, 1, 2, 1, 0, 2, 2, 0, 1];
        int rows = promptOf.Length, p = 4, t = 5;
        var ids = new long[rows * (p + t)];
        var mask = new bool[rows * (p + t)];
        var positions = new long[rows * (p + t)];
        for (int r = 0; r < rows; r++)
        {
            var prompt = prompts[promptOf[r]];
            var completion = completions[r % completions.Length];
            int position = 0;
            for (int j = 0; j < p + t; j++)
            {
                long token = j < p ? prompt[j] : completion[j - p];
                bool real = j < p ? !(token == 0 && j < Array.FindIndex(prompt, x => x != 0)) : token != 0 || j == p;
                ids[r * (p + t) + j] = token;
                mask[r * (p + t) + j] = real;
                positions[r * (p + t) + j] = real ? position++ : 0;
            }
        }

        return new SequenceRows(tensor(ids, [rows, p + t]), tensor(mask, [rows, p + t]), tensor(positions, [rows, p + t]), p, t);
    }

    private static Tensor Loss(LlamaForCausalLM model, SequenceRows rows)
    {
        var (logProbs, entropy) = PolicyForward.LogProbs(model, rows, 1.0, withEntropy: true);
        var weights = rows.AttentionMask.narrow(1, rows.PromptLength, rows.CompletionLength).to(ScalarType.Float32) * linspace(-1, 1, rows.CompletionLength);
        return -(logProbs * weights).sum() - 0.1 * entropy!.mean();
    }
}
