using System.Text.Json;
using Rft.Models;
using Rft.Text;

namespace Rft.Training;

/// <summary>
/// Writes a checkpoint folder: <c>policy.dat</c> (TorchSharp state dict, Hugging Face key names),
/// <c>optimizer.dat</c>, <c>config.json</c>, <c>tokenizer.json</c> and <c>trainer_state.json</c>.
/// The folder is written beside the target and renamed into place, so a crash mid-write never
/// leaves a half checkpoint where a whole one was.
/// </summary>
public static class Checkpoint
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Save(string directory, LlamaForCausalLM policy, PolicyOptimizer? optimizer, CharTokenizer tokenizer, TrainerState state)
    {
        var full = Path.GetFullPath(directory);
        var staging = full + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);

        policy.save(Path.Combine(staging, "policy.dat"));
        optimizer?.Save(Path.Combine(staging, "optimizer.dat"));
        File.WriteAllText(Path.Combine(staging, "config.json"), JsonSerializer.Serialize(policy.Config, Json));
        File.WriteAllText(Path.Combine(staging, "tokenizer.json"), JsonSerializer.Serialize(new { kind = "char", alphabet = tokenizer.Alphabet }, Json));
        File.WriteAllText(Path.Combine(staging, "trainer_state.json"), JsonSerializer.Serialize(state, Json));

        if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        Directory.Move(staging, full);
    }
}
