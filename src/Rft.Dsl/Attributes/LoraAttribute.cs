namespace Rft;

/// <summary>
/// Train low-rank adapters instead of every weight: rank <see cref="Rank"/> adapters on the projections named in
/// <see cref="Targets"/>, output scaled by <c>Alpha / Rank</c>, the base weights frozen. Checkpoints hold the
/// merged weights and the adapters alone.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class LoraAttribute : Attribute
{
    /// <summary>
    /// Whether adapters are used; the option <c>Rft:LoraEnabled</c> turns them on or off at run time, so one
    /// pipeline can be trained both ways (false: full fine-tuning).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rank of each adapter; at least 1.</summary>
    public int Rank { get; set; } = 8;

    /// <summary>Scale numerator: an adapter's output is multiplied by <c>Alpha / Rank</c>.</summary>
    public double Alpha { get; set; } = 16;

    /// <summary>Comma-separated projections among q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj.</summary>
    public string Targets { get; set; } = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj";

    /// <summary>Dropout on each adapter's input while training, in [0, 1).</summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Also train the supervised warm-up through the adapters. By default the warm-up trains every weight
    /// (it stands in for pre-training a preset) and the adapters are added when RL starts.
    /// </summary>
    public bool WarmUp { get; set; }
}
