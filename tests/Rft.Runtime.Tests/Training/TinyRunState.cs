using Rft.Data.Curricula;
using Rft.Models;
using Rft.Models.Lora;
using Rft.Runtime.Tests.Data.Curricula;
using Rft.Runtime.Tests.Models;
using Rft.Text;
using Rft.Training;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

/// <summary>
/// What a trainer checkpoints, in miniature: a tiny policy with LoRA adapters, AdamW after one step (so its moments
/// are not zeros), a character tokenizer and a self-evolving curriculum that has drawn and learned for a few steps.
/// <see cref="Save"/> writes the files a generated trainer writes.
/// </summary>
public sealed class TinyRunState : IDisposable
{
    /// <param name="loraRank">Rank of adapters on q_proj and v_proj (so the optimizer sees only them); 0 for none (every weight trainable).</param>
    public TinyRunState(long seed = 3, int loraRank = 2, string alphabet = "abcdefgh")
    {
        Tokenizer = new CharTokenizer(alphabet);
        Policy = LlamaForCausalLM.Create(TinyModels.Config(Tokenizer.VocabSize), seed);
        if (loraRank > 0) LoraAdapters.Apply(Policy, new LoraSettings(loraRank, 4, ["q_proj", "v_proj"]), seed: 1);
        Optimizer = new PolicyOptimizer(Policy, new OptimizerSettings(1e-2, 0, 1, 0, 10, 0.1));
        Step();
        Curriculum = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture((int)seed + 18), static item => item.Category, 0.5, 0.2, seed: 5);
        var records = new Item[4];
        var sources = new int[4];
        for (int i = 0; i < 3; i++)
        {
            Curriculum.Draw(records, sources);
            Curriculum.Feedback([0.5, 1, 0, 0.25], [0.5, 0, 0, 0.375]);
        }
    }

    public CharTokenizer Tokenizer { get; }

    public LlamaForCausalLM Policy { get; }

    public PolicyOptimizer Optimizer { get; }

    public SelfEvolvingCurriculum<Item> Curriculum { get; }

    /// <summary>One optimizer step on a squared-logit loss.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 3, 4, 5 }, [1, 4]);
        var loss = Policy.Forward(ids, arange(4L).unsqueeze(0), null).pow(2).mean();
        Optimizer.ZeroGrad();
        loss.backward();
        Optimizer.Step(1);
    }

    /// <summary>Writes the checkpoint files into <paramref name="directory"/> as a generated trainer does.</summary>
    public void Save(string directory, string pipeline, int rlSteps)
    {
        Checkpoint.Save(directory, Policy, Optimizer, Tokenizer, new TrainerState(pipeline, 7, 0, rlSteps));
        Checkpoint.SaveCurriculum(directory, Curriculum);
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Policy.Dispose();
    }
}
