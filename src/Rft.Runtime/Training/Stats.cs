using Rft.Rollout;

namespace Rft.Training;

/// <summary>Small host-side statistics for step reports.</summary>
public static class Stats
{
    /// <summary>Mean of the first <paramref name="count"/> values, skipping NaN; NaN when none is left.</summary>
    public static double MeanIgnoringNaN(float[] values, int count)
    {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < count; i++)
        {
            if (float.IsNaN(values[i])) continue;
            sum += values[i];
            n++;
        }

        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Mean generated tokens per completion (the stop token included).</summary>
    public static double MeanCompletionTokens(RolloutBatch rollout)
    {
        long total = 0;
        for (int row = 0; row < rollout.Rows; row++) total += rollout.CompletionTokenCount(row);
        return rollout.Rows == 0 ? double.NaN : (double)total / rollout.Rows;
    }

    /// <summary>Elements of the module's parameters; only those that require gradients when <paramref name="trainableOnly"/>.</summary>
    public static long ParameterCount(TorchSharp.torch.nn.Module module, bool trainableOnly)
    {
        long total = 0;
        foreach (var parameter in module.parameters())
        {
            if (!trainableOnly || parameter.requires_grad) total += parameter.numel();
        }

        return total;
    }
}
