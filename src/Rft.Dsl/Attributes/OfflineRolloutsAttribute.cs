namespace Rft;

/// <summary>
/// Trains from logged rollouts instead of sampling: a JSON Lines file that <c>--Rft:DumpRollouts=true</c> wrote, or
/// another system's logged completions with rewards (fields <c>prompt</c>, <c>completion</c> and <c>reward</c> at least).
/// Each step takes the next <c>PromptsPerStep</c> groups of <c>GroupSize</c> lines (a group: consecutive lines of one
/// <c>group</c> value, or of one prompt); token ids and behaviour log-probs are used when present. Option
/// <c>Rft:OfflineRolloutsPath</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OfflineRolloutsAttribute : Attribute
{
    public OfflineRolloutsAttribute(string path) => Path = path;

    /// <summary>The JSON Lines file, relative to the working directory.</summary>
    public string Path { get; }

    /// <summary>Pass over the file again when it runs out (else the run stops at its end with a clear error).</summary>
    public bool Repeat { get; set; } = true;
}
