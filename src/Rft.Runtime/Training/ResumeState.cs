using System.Text.Json;

namespace Rft.Training;

/// <summary>
/// What a generated trainer saves beside <see cref="TrainerState"/> so a resumed run draws, samples and shuffles exactly
/// as the uninterrupted one would have (<c>resume_state.json</c>). The user's <c>[Source]</c> generators are
/// <see cref="System.Random"/>s, which cannot be serialised: the mixture is rebuilt from its seed and replayed to
/// <see cref="MixturePosition"/> (<c>Mixture.FastForward</c>), or the curriculum's own state does it.
/// </summary>
/// <param name="WarmUpFinished">The warm-up reached its target accuracy or its step budget: it does not run again.</param>
/// <param name="MixturePosition">Records drawn from the training mixture so far (without a curriculum, whose state holds it).</param>
/// <param name="DropoutRandomState">The policy's LoRA dropout generator (<see cref="Models.Lora.DropoutRandom"/>), base64; null when the policy draws no dropout masks.</param>
/// <param name="SamplingRandomState">The rollout sampler's generator, base64.</param>
/// <param name="MiniBatchRandomState">The update's row shuffle (<see cref="MiniBatchSchedule.Random"/>), four words.</param>
public sealed record ResumeState(bool WarmUpFinished, long MixturePosition, string? DropoutRandomState, string SamplingRandomState, ulong[] MiniBatchRandomState)
{
    public const string FileName = "resume_state.json";

    private const long MaxBytes = 1 << 20;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public void Save(string directory) => File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>Reads <c>resume_state.json</c> of a checkpoint folder.</summary>
    /// <exception cref="FileNotFoundException">The file is missing (a checkpoint of a trainer without resume).</exception>
    /// <exception cref="FormatException">The file is too large, malformed or inconsistent; the message names it.</exception>
    public static ResumeState Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: the checkpoint was written by a trainer that could not resume.", path);
        if (new FileInfo(path).Length > MaxBytes) throw new FormatException($"{path} is {new FileInfo(path).Length} bytes; a resume state is a few kilobytes (at most {MaxBytes}).");
        ResumeState? state;
        try
        {
            state = JsonSerializer.Deserialize<ResumeState>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not a resume state ({e.Message}).", e);
        }

        if (state is null) throw new FormatException($"{path}: null; expected the resume state object.");
        if (state.MixturePosition < 0) throw new FormatException($"{path}: MixturePosition = {state.MixturePosition} cannot be negative.");
        if (state.MiniBatchRandomState.Length != Data.CheckpointableRandom.StateWords)
            throw new FormatException($"{path}: MiniBatchRandomState has {state.MiniBatchRandomState.Length} words; the generator's state is {Data.CheckpointableRandom.StateWords}.");
        state.DropoutRandomBytes();
        state.SamplingRandomBytes();
        return state;
    }

    /// <summary>The dropout generator's state bytes, or null.</summary>
    public byte[]? DropoutRandomBytes() => DropoutRandomState is null ? null : Base64(DropoutRandomState, nameof(DropoutRandomState));

    /// <summary>The sampler generator's state bytes.</summary>
    public byte[] SamplingRandomBytes() => Base64(SamplingRandomState, nameof(SamplingRandomState));

    private static byte[] Base64(string text, string field)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{FileName}: {field} is not base64 ({e.Message}).", e);
        }
    }
}
