namespace Rft.Training;

/// <summary>The weight of an SFT term at an RL step (see <see cref="SftSchedule"/>).</summary>
public static class SftMixSchedule
{
    /// <param name="step">The RL step, from 1.</param>
    /// <param name="weight">The start weight (CHORD: mu's peak).</param>
    /// <param name="endWeight">The weight after the decay (CHORD: mu's valley).</param>
    /// <param name="warmupSteps">CHORD only: steps over which mu rises linearly from 0 to <paramref name="weight"/>.</param>
    /// <param name="decaySteps">Steps of the decay, at least 1.</param>
    public static double Weight(SftSchedule schedule, int step, double weight, double endWeight, int warmupSteps, int decaySteps)
    {
        decaySteps = Math.Max(1, decaySteps);
        switch (schedule)
        {
            case SftSchedule.Constant:
                return weight;
            case SftSchedule.Linear:
            {
                double progress = Math.Clamp((double)(step - 1) / decaySteps, 0, 1);
                return weight + (endWeight - weight) * progress;
            }
            case SftSchedule.Cosine:
            {
                double progress = Math.Clamp((double)(step - 1) / decaySteps, 0, 1);
                return endWeight + (weight - endWeight) * 0.5 * (1 + Math.Cos(Math.PI * progress));
            }
            case SftSchedule.Chord:
            {
                // Trinity-RFT's mu_schedule_function with global_step = step - 1.
                int global = step - 1;
                if (global < warmupSteps) return (double)global / warmupSteps * weight;
                if (global >= warmupSteps + decaySteps) return endWeight;
                double cosine = 0.5 * (1 + Math.Cos(Math.PI * (global - warmupSteps) / decaySteps));
                return (weight - endWeight) * cosine + endWeight;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(schedule), schedule, $"Valid schedules: {string.Join(", ", Enum.GetNames<SftSchedule>())}.");
        }
    }
}
