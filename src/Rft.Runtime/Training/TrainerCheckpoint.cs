using Rft.Data;
using Rft.Models;
using Rft.Models.Lora;
using Rft.Models.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// The pieces of a resumable checkpoint a generated trainer writes beside <see cref="Checkpoint.Save"/>'s Hugging Face
/// export, and reads back: the policy's own parameters when the export would not give them back bit for bit (LoRA
/// adapters are merged there), the float32 master weights of mixed precision, and every random state.
/// </summary>
public static class TrainerCheckpoint
{
    /// <summary>The policy's parameters as they are, adapters separate, when it has LoRA adapters.</summary>
    public const string PolicyStateFile = "policy_state.safetensors";

    /// <summary>The optimizer's float32 master weights under mixed precision.</summary>
    public const string MasterWeightsFile = "master_weights.safetensors";

    /// <summary>The frozen KL reference, when it is a copy.</summary>
    public const string ReferenceFile = "reference.safetensors";

    public const string ValueHeadFile = "value_head.dat";

    public const string ValueOptimizerFile = "value_optimizer.dat";

    /// <summary>Writes what <see cref="Checkpoint.Save"/> does not keep exactly: the policy's parameters under LoRA, the optimizer's master weights.</summary>
    public static void SavePolicy(string directory, LlamaForCausalLM policy, PolicyOptimizer? optimizer)
    {
        if (LoraAdapters.HasAdapters(policy)) ModuleState.Save(policy, Path.Combine(directory, PolicyStateFile));
        optimizer?.SaveMasterWeights(Path.Combine(directory, MasterWeightsFile));
    }

    /// <summary>
    /// Reads the policy's parameters back: from <see cref="PolicyStateFile"/> when the checkpoint has one (LoRA), else from the
    /// Hugging Face export, whose tensors are the parameters themselves in the model's dtype.
    /// </summary>
    public static void LoadPolicy(string directory, LlamaForCausalLM policy)
    {
        string own = Path.Combine(directory, PolicyStateFile);
        ModuleState.Load(policy, File.Exists(own) ? own : Path.Combine(directory, HuggingFaceCheckpoint.WeightsFile));
    }

    /// <summary>Restores an optimizer's AdamW state and, under mixed precision, its master weights.</summary>
    public static void LoadOptimizer(string directory, PolicyOptimizer optimizer)
    {
        optimizer.Load(Path.Combine(directory, Checkpoint.OptimizerFile));
        if (optimizer.HasMasterWeights) optimizer.LoadMasterWeights(Path.Combine(directory, MasterWeightsFile));
    }

    /// <summary>The whole of a checkpoint's <paramref name="file"/>, at most 1 GiB (replay storage, log positions).</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="FormatException">The file is larger than any state a trainer writes.</exception>
    public static byte[] ReadBounded(string directory, string file)
    {
        string path = Path.Combine(directory, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing.", path);
        long length = new FileInfo(path).Length;
        if (length > 1L << 30) throw new FormatException($"{path} is {length} bytes, more than a trainer's state (1 GiB at most).");
        return File.ReadAllBytes(path);
    }

    /// <summary>The random states a resumed run continues from.</summary>
    public static ResumeState RandomStates(bool warmUpFinished, long mixturePosition, LlamaForCausalLM policy, Generator sampling, MiniBatchSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var scope = NewDisposeScope();
        var words = new ulong[CheckpointableRandom.StateWords];
        schedule.Random.GetState(words);
        string? dropout = policy.DropoutRandom.Generator is { } generator ? Convert.ToBase64String(generator.get_state().bytes) : null;
        return new ResumeState(warmUpFinished, mixturePosition, dropout, Convert.ToBase64String(sampling.get_state().bytes), words);
    }

    /// <summary>Puts the random states of <paramref name="state"/> back.</summary>
    /// <exception cref="FormatException">A generator's state has the wrong size for this libtorch, or the checkpoint and the policy disagree on whether LoRA dropout draws.</exception>
    public static void RestoreRandomStates(ResumeState state, LlamaForCausalLM policy, Generator sampling, MiniBatchSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var scope = NewDisposeScope();
        var dropout = policy.DropoutRandom.Generator;
        if ((dropout is null) != (state.DropoutRandomState is null))
        {
            throw new FormatException(dropout is null
                ? $"{ResumeState.FileName}: DropoutRandomState is saved but this run's policy has no LoRA dropout (Rft:LoraDropout = 0 or LoRA off); resume with the options the run was started with."
                : $"{ResumeState.FileName}: DropoutRandomState is missing but this run's policy draws LoRA dropout masks; resume with the options the run was started with.");
        }

        if (dropout is not null) dropout.set_state(StateTensor(state.DropoutRandomBytes()!, dropout.get_state(), nameof(ResumeState.DropoutRandomState)));
        sampling.set_state(StateTensor(state.SamplingRandomBytes(), sampling.get_state(), nameof(ResumeState.SamplingRandomState)));
        schedule.Random.SetState(state.MiniBatchRandomState);
    }

    private static Tensor StateTensor(byte[] bytes, Tensor current, string field)
    {
        if (bytes.Length != current.numel())
            throw new FormatException($"{ResumeState.FileName}: {field} has {bytes.Length} bytes but this libtorch's generator state has {current.numel()}.");
        return tensor(bytes, dtype: ScalarType.Byte, device: CPU);
    }
}
