namespace Rft.Training;

/// <summary>Linear warm-up to the peak, then cosine decay to a floor, as in nanoGPT and torchtune.</summary>
public static class LearningRateSchedule
{
    /// <summary>The learning rate of 1-based <paramref name="step"/>.</summary>
    public static double WarmupCosine(int step, double peak, int warmupSteps, int totalSteps, double minRatio)
    {
        if (warmupSteps > 0 && step <= warmupSteps) return peak * step / warmupSteps;
        if (totalSteps <= warmupSteps) return peak;
        double progress = Math.Clamp((double)(step - warmupSteps) / (totalSteps - warmupSteps), 0, 1);
        double floor = peak * minRatio;
        return floor + 0.5 * (peak - floor) * (1 + Math.Cos(Math.PI * progress));
    }
}
