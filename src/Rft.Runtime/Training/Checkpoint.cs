using System.Text.Json;
using System.Text.Json.Nodes;
using Rft.Data.Curricula;
using Rft.Models;
using Rft.Models.Formats;
using Rft.Models.Lora;
using Rft.Text;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// A checkpoint folder that standard tools load: the policy as a Hugging Face checkpoint (<c>config.json</c> and
/// <c>model.safetensors</c>, LoRA adapters merged in), the adapters alone under <c>adapter/</c> when the policy has
/// them (PEFT's <c>adapter_model.safetensors</c> and <c>adapter_config.json</c>), the tokenizer (a
/// <see cref="CharTokenizer"/> as <c>rft_tokenizer.json</c>, a <see cref="HuggingFaceTokenizer"/> as its original
/// <c>tokenizer.json</c> with <c>tokenizer_config.json</c> and <c>generation_config.json</c>, a
/// <see cref="Llama2cTokenizer"/> as <c>tokenizer.bin</c>), <c>optimizer.dat</c> (TorchSharp AdamW state) and
/// <c>trainer_state.json</c>. The folder is written beside the target and renamed into place, so a crash mid-write
/// never leaves a half checkpoint where a whole one was.
/// </summary>
public static class Checkpoint
{
    public const string TrainerStateFile = "trainer_state.json";
    public const string OptimizerFile = "optimizer.dat";
    public const string CharTokenizerFile = "rft_tokenizer.json";
    public const string HuggingFaceTokenizerFile = "tokenizer.json";
    public const string Llama2cTokenizerFile = "tokenizer.bin";
    public const string AdapterFolder = "adapter";
    public const string CurriculumFile = "curriculum.msgpack";

    // Limits on what is read back into memory whole: far above what a checkpoint writes, far below what would hurt.
    private const long MaxStateBytes = 16 << 20;
    private const long MaxCharTokenizerBytes = 16 << 20;
    private const long MaxHuggingFaceTokenizerBytes = 256 << 20;
    private const long MaxCurriculumBytes = 256 << 20;

    // Copied beside tokenizer.json when the tokenizer's folder has them: they settle the special tokens.
    private static readonly string[] TokenizerCompanions = ["tokenizer_config.json", "generation_config.json", "special_tokens_map.json", ChatTemplate.JinjaFile];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    // A trainer state lacking a field, or holding null where a value belongs, is malformed rather than defaulted.
    private static readonly JsonSerializerOptions StateJson = new()
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Writes the checkpoint folder <paramref name="directory"/>, replacing any folder there once the new one is complete.</summary>
    /// <param name="tokenizerSource">
    /// The tokenizer.json or tokenizer.bin file a file-backed tokenizer was read from, when <see cref="TokenizerSources"/>
    /// does not know it (tokenizers loaded by <see cref="PolicyLoader"/> are known).
    /// </param>
    /// <exception cref="ArgumentException">The tokenizer's kind is unknown, or its source file is unknown or gone.</exception>
    public static void Save(string directory, LlamaForCausalLM policy, PolicyOptimizer? optimizer, ITokenizer tokenizer, TrainerState state, string? tokenizerSource = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(state);
        var writeTokenizer = TokenizerWriter(tokenizer, tokenizerSource);     // fails before anything is written

        var full = Path.GetFullPath(directory);
        var staging = full + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);

        HuggingFaceCheckpoint.Save(policy, staging);
        if (LoraAdapters.HasAdapters(policy)) LoraAdapters.SaveAdapters(policy, Path.Combine(staging, AdapterFolder));
        writeTokenizer(staging);
        optimizer?.Save(Path.Combine(staging, OptimizerFile));
        File.WriteAllText(Path.Combine(staging, TrainerStateFile), JsonSerializer.Serialize(state, Json));

        if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
        Directory.Move(staging, full);
    }

    /// <summary>Whether <paramref name="directory"/> looks like a folder <see cref="Save"/> wrote (it has a <c>trainer_state.json</c>).</summary>
    public static bool IsCheckpoint(string directory) =>
        Directory.Exists(directory) && File.Exists(Path.Combine(directory, TrainerStateFile));

    /// <summary>
    /// Loads the policy and tokenizer of a checkpoint folder (the merged weights; the <c>adapter/</c> copy is not needed).
    /// A folder with a <c>manifest.json</c> (see <see cref="CheckpointStore"/>) is verified against it first.
    /// </summary>
    /// <param name="maxPositions">Overrides the saved <c>max_position_embeddings</c>; null keeps it.</param>
    /// <exception cref="FileNotFoundException">A file the checkpoint needs is missing; the message names it.</exception>
    /// <exception cref="FormatException">A file is malformed.</exception>
    /// <exception cref="InvalidCheckpointException">A file is missing, truncated or altered since the manifest was written.</exception>
    public static LoadedPolicy Load(string directory, ScalarType dtype = ScalarType.Float32, int? maxPositions = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.GetFullPath(directory);
        if (File.Exists(Path.Combine(full, CheckpointManifest.FileName))) CheckpointManifest.Verify(full, pipeline: null);
        var tokenizer = LoadTokenizer(full);
        var model = HuggingFaceCheckpoint.Load(full, out var report, dtype, maxPositions);
        return new LoadedPolicy(model, tokenizer, report, PolicyFormat.RftCheckpoint, full);
    }

    /// <summary>
    /// The tokenizer saved in <paramref name="directory"/>: <c>rft_tokenizer.json</c> (char), <c>tokenizer.json</c>
    /// (Hugging Face; an older checkpoint's <c>{"kind": "char"}</c> file of that name is read as char) or <c>tokenizer.bin</c> (llama2.c).
    /// </summary>
    /// <exception cref="FileNotFoundException">None of those files is there.</exception>
    public static ITokenizer LoadTokenizer(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string charFile = Path.Combine(directory, CharTokenizerFile);
        string huggingFace = Path.Combine(directory, HuggingFaceTokenizerFile);
        string llama2c = Path.Combine(directory, Llama2cTokenizerFile);
        if (File.Exists(charFile)) return ReadCharTokenizer(charFile);
        if (File.Exists(huggingFace))
        {
            CheckSize(huggingFace, MaxHuggingFaceTokenizerBytes, "tokenizer.json");
            if (new FileInfo(huggingFace).Length < 65536 && ReadCharTokenizerOrNull(huggingFace) is { } legacy) return legacy;     // older checkpoints
            var tokenizer = HuggingFaceTokenizer.Load(huggingFace);
            TokenizerSources.Record(tokenizer, huggingFace);
            return tokenizer;
        }

        if (File.Exists(llama2c))
        {
            var tokenizer = Llama2cTokenizer.Load(llama2c);
            TokenizerSources.Record(tokenizer, llama2c);
            return tokenizer;
        }

        throw new FileNotFoundException(
            $"{directory}: no tokenizer; expected {CharTokenizerFile} (char), {HuggingFaceTokenizerFile} (Hugging Face) or {Llama2cTokenizerFile} (llama2.c).", huggingFace);
    }

    /// <summary>Reads <c>trainer_state.json</c> of a checkpoint folder.</summary>
    /// <param name="pipeline">When given, the state must have been written by this pipeline.</param>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="FormatException">The file is malformed, too large, or from another pipeline; the message names it and says which.</exception>
    public static TrainerState ReadState(string directory, string? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string path = Path.Combine(directory, TrainerStateFile);
        var bytes = ReadBounded(path, MaxStateBytes, "trainer state");
        TrainerState? state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(bytes, StateJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not a trainer state ({e.Message}); expected an object with Pipeline, Seed, SftSteps and RlSteps.", e);
        }

        if (state is null) throw new FormatException($"{path}: null; expected an object with Pipeline, Seed, SftSteps and RlSteps.");
        if (state.SftSteps < 0 || state.RlSteps < 0) throw new FormatException($"{path}: SftSteps = {state.SftSteps} and RlSteps = {state.RlSteps}; step counts cannot be negative.");
        if (pipeline is not null && state.Pipeline != pipeline)
            throw new FormatException($"{path}: written by pipeline {state.Pipeline}, not {pipeline}; a checkpoint resumes only the pipeline that wrote it.");
        return state;
    }

    /// <summary>Writes a curriculum's state (<see cref="ICurriculum{T}.SaveState"/>) as <c>curriculum.msgpack</c> in <paramref name="directory"/>.</summary>
    public static void SaveCurriculum<T>(string directory, ICurriculum<T> curriculum)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(curriculum);
        File.WriteAllBytes(Path.Combine(directory, CurriculumFile), curriculum.SaveState());
    }

    /// <summary>
    /// Restores a curriculum from the <c>curriculum.msgpack</c> of <paramref name="directory"/>. The curriculum's state is
    /// read with MessagePack's low-level reader (no serializer, no type resolution, no recursion), whose array and string
    /// headers are checked against the bytes left, and the file itself is capped at 256 MiB.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="FormatException">The file is too large, truncated, of another curriculum or malformed; the message names it.</exception>
    public static void LoadCurriculum<T>(string directory, ICurriculum<T> curriculum)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(curriculum);
        string path = Path.Combine(directory, CurriculumFile);
        var bytes = ReadBounded(path, MaxCurriculumBytes, "curriculum state");
        try
        {
            curriculum.LoadState(bytes);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The whole of a file that must not exceed <paramref name="maxBytes"/>.</summary>
    private static byte[] ReadBounded(string path, long maxBytes, string what)
    {
        CheckSize(path, maxBytes, what);
        return File.ReadAllBytes(path);
    }

    private static void CheckSize(string path, long maxBytes, string what)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path} is missing.", path);
        if (info.Length > maxBytes)
            throw new FormatException($"{path}: {info.Length} bytes, more than the {maxBytes}-byte limit of a {what}; it is not one.");
    }

    private static Action<string> TokenizerWriter(ITokenizer tokenizer, string? source)
    {
        switch (tokenizer)
        {
            case CharTokenizer chars:
                return folder => File.WriteAllText(Path.Combine(folder, CharTokenizerFile),
                    JsonSerializer.Serialize(new { kind = "char", alphabet = chars.Alphabet }, Json));
            case HuggingFaceTokenizer:
            {
                string file = SourceFile(tokenizer, source, "tokenizer.json");
                string from = Path.GetDirectoryName(file)!;
                return folder =>
                {
                    File.Copy(file, Path.Combine(folder, HuggingFaceTokenizerFile));
                    foreach (var companion in TokenizerCompanions)
                    {
                        string path = Path.Combine(from, companion);
                        if (File.Exists(path)) File.Copy(path, Path.Combine(folder, companion));
                    }
                };
            }

            case Llama2cTokenizer:
            {
                string file = SourceFile(tokenizer, source, "tokenizer.bin");
                return folder => File.Copy(file, Path.Combine(folder, Llama2cTokenizerFile));
            }

            default:
                throw new ArgumentException(
                    $"A checkpoint can hold a CharTokenizer, a HuggingFaceTokenizer or a Llama2cTokenizer, not a {tokenizer.GetType().Name}.", nameof(tokenizer));
        }
    }

    private static string SourceFile(ITokenizer tokenizer, string? source, string what)
    {
        string? file = source is null ? TokenizerSources.Find(tokenizer) : Directory.Exists(source) ? Path.Combine(source, what) : source;
        if (file is null)
        {
            throw new ArgumentException(
                $"The {tokenizer.GetType().Name}'s {what} is unknown: load it through PolicyLoader, record it with TokenizerSources.Record, or pass tokenizerSource to Checkpoint.Save.",
                nameof(tokenizer));
        }

        if (!File.Exists(file)) throw new ArgumentException($"{file}: the tokenizer's {what} no longer exists, so the checkpoint cannot copy it.", nameof(tokenizer));
        return file;
    }

    private static CharTokenizer ReadCharTokenizer(string path) =>
        ReadCharTokenizerOrNull(path) ?? throw new FormatException($"{path}: expected {{\"kind\": \"char\", \"alphabet\": \"...\"}}.");

    private static CharTokenizer? ReadCharTokenizerOrNull(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(ReadBounded(path, MaxCharTokenizerBytes, "char tokenizer"));
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON ({e.Message}).", e);
        }

        if (root is not JsonObject json || json["kind"] is not JsonValue kind || kind.GetValueKind() != JsonValueKind.String || kind.GetValue<string>() != "char") return null;
        if (json["alphabet"] is not JsonValue alphabet || alphabet.GetValueKind() != JsonValueKind.String || alphabet.GetValue<string>().Length == 0)
            throw new FormatException($"{path}: a char tokenizer needs a non-empty string \"alphabet\".");
        return new CharTokenizer(alphabet.GetValue<string>());
    }
}
