namespace Rft.Hosting.Reports;

/// <summary>The completions samples.jsonl holds for one evaluation: <c>rl</c> step 100, or the final evaluation <c>eval rl</c>.</summary>
internal sealed record SampleGroup(string Phase, string? Name, int Step, IReadOnlyList<SampleLine> Samples)
{
    public string Title => Name is null
        ? $"{(Phase == "sft" ? "warm-up validation" : "held-out check")} at {Phase} step {Step}"
        : $"final evaluation \"{Name}\" (after {Step} {(Name == "sft" ? "warm-up" : "RL")} steps)";
}
