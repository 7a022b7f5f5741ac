namespace Rft.Models.Lora;

/// <summary>
/// Low-rank adapters as PEFT's <c>LoraConfig</c> describes them: rank <paramref name="Rank"/>, output scaled by
/// <c><paramref name="Alpha"/> / <paramref name="Rank"/></c>, on the linear layers named in <paramref name="Targets"/>.
/// </summary>
/// <param name="Targets">Projection names among <see cref="ValidTargets"/>, as PEFT's <c>target_modules</c>.</param>
/// <param name="Dropout">Dropout probability on each adapter's input while training (PEFT's <c>lora_dropout</c>).</param>
public sealed record LoraSettings(int Rank, double Alpha, IReadOnlyList<string> Targets, double Dropout = 0)
{
    private static readonly string[] Projections = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>The linear layers of a Llama decoder layer that can take an adapter.</summary>
    public static IReadOnlyList<string> ValidTargets => Projections;

    /// <summary>alpha / r, the factor on each adapter's output.</summary>
    public double Scale => Alpha / Rank;

    /// <exception cref="ArgumentException">A field is out of range or a target is unknown; the message says what would be valid.</exception>
    public void EnsureValid()
    {
        if (Rank < 1) throw new ArgumentException($"LoRA Rank = {Rank} must be at least 1.", nameof(Rank));
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"LoRA Alpha = {Alpha} must be positive and finite.", nameof(Alpha));
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"LoRA Dropout = {Dropout} must be in [0, 1).", nameof(Dropout));
        ArgumentNullException.ThrowIfNull(Targets);
        if (Targets.Count == 0)
            throw new ArgumentException($"LoRA Targets is empty; name at least one of {string.Join(", ", Projections)}.", nameof(Targets));
        foreach (var target in Targets)
        {
            if (!Projections.Contains(target, StringComparer.Ordinal))
                throw new ArgumentException($"Unknown LoRA target \"{target}\"; valid targets are {string.Join(", ", Projections)}.", nameof(Targets));
        }

        var duplicate = Targets.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"LoRA target \"{duplicate.Key}\" is given twice.", nameof(Targets));
    }
}
