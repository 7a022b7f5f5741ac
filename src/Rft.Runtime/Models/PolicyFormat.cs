namespace Rft.Models;

/// <summary>The kinds of path <see cref="PolicyLoader"/> reads.</summary>
public enum PolicyFormat
{
    /// <summary>A Hugging Face directory: <c>config.json</c>, <c>model.safetensors</c> (or a sharded index), <c>tokenizer.json</c>.</summary>
    HuggingFace,

    /// <summary>A checkpoint folder written by <see cref="Training.Checkpoint.Save"/> (Hugging Face files plus <c>trainer_state.json</c>).</summary>
    RftCheckpoint,

    /// <summary>A llama2.c <c>.bin</c> checkpoint with its <c>tokenizer.bin</c> beside it.</summary>
    Llama2c,
}
