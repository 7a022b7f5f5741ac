using Rft.Data;
using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

/// <summary>
/// A deterministic stand-in for the trainer: each step draws prompts through a curriculum (twice on odd
/// steps, as dynamic sampling does), computes feedback from the records and the step, feeds it back and
/// reads the metrics. A run can be killed after any step and resumed from the saved state into a fresh
/// mixture and curriculum.
/// </summary>
public static class CurriculumHarness
{
    public const int PromptsPerStep = 6;
    public const int ExtraOnOddSteps = 3;

    /// <summary>Three sources: a finite one (reopened each epoch), an easy one and a mixed one.</summary>
    public static Mixture<Item> CreateMixture(int seed = 21) => new(seed, new MixtureSource<Item>[]
    {
        new("finite", 1, rng => Enumerable.Range(0, 5).Select(i => new Item(1 + i % 4, 100 + rng.Next(3)))),
        new("easy", 2, rng => Forever(() => new Item(1 + rng.Next(2), rng.Next(6)))),
        new("mixed", 3, rng => Forever(() => new Item(1 + rng.Next(4), rng.Next(8)))),
    });

    /// <summary>Pass rate: category c is solved more often as steps go, harder ones later; some ids are always or never solved.</summary>
    public static double PassRate(Item item, int step)
    {
        if (item.Id % 5 == 0) return 1;
        if (item.Id % 5 == 1) return 0;
        return Math.Clamp(step / (4.0 * item.Category) - 0.25 * (item.Id % 2), 0, 1);
    }

    /// <summary>Mean |advantage| of a group with that pass rate (Bernoulli rewards, GRPO without std): 2 p (1 - p).</summary>
    public static double MeanAbsAdvantage(Item item, int step)
    {
        double p = PassRate(item, step);
        return 2 * p * (1 - p);
    }

    public sealed record Trace(List<string> Draws, double[] FinalMetrics, byte[] FinalState);

    /// <summary>Runs <paramref name="steps"/> steps; with <paramref name="killAfter"/> the run saves its state after that step and goes on in a fresh curriculum.</summary>
    public static Trace Run(Func<Mixture<Item>, ICurriculum<Item>> build, int steps, int? killAfter = null)
    {
        var curriculum = build(CreateMixture());
        var draws = new List<string>();
        var records = new Item[PromptsPerStep + ExtraOnOddSteps];
        var sources = new int[records.Length];
        var passRates = new double[records.Length];
        var advantages = new double[records.Length];
        var metrics = new double[curriculum.MetricNames.Count];
        for (int step = 1; step <= steps; step++)
        {
            int count = PromptsPerStep;
            curriculum.Draw(records.AsSpan(0, PromptsPerStep), sources.AsSpan(0, PromptsPerStep));
            if (step % 2 == 1)
            {
                curriculum.Draw(records.AsSpan(count, ExtraOnOddSteps), sources.AsSpan(count, ExtraOnOddSteps));
                count += ExtraOnOddSteps;
            }

            for (int i = 0; i < count; i++)
            {
                draws.Add($"{step}:{records[i].Key}@{sources[i]}");
                passRates[i] = PassRate(records[i], step);
                advantages[i] = MeanAbsAdvantage(records[i], step);
            }

            curriculum.Feedback(passRates.AsSpan(0, count), advantages.AsSpan(0, count));
            curriculum.WriteMetrics(metrics);

            if (step == killAfter)
            {
                // Kill: only the bytes survive. Resume: a fresh mixture and curriculum from the same seeds.
                byte[] state = curriculum.SaveState();
                curriculum = build(CreateMixture());
                curriculum.LoadState(state);
            }
        }

        curriculum.WriteMetrics(metrics);
        return new Trace(draws, metrics, curriculum.SaveState());
    }

    /// <summary>Asserts that killing the run after each of <paramref name="killSteps"/> and resuming changes nothing.</summary>
    public static void AssertResumable(Func<Mixture<Item>, ICurriculum<Item>> build, int steps, params int[] killSteps)
    {
        var uninterrupted = Run(build, steps);
        foreach (int kill in killSteps)
        {
            var resumed = Run(build, steps, kill);
            Assert.Equal(uninterrupted.Draws, resumed.Draws);
            Assert.Equal(uninterrupted.FinalMetrics, resumed.FinalMetrics);
            Assert.Equal(uninterrupted.FinalState, resumed.FinalState);
        }
    }

    private static IEnumerable<Item> Forever(Func<Item> next)
    {
        while (true) yield return next();
    }
}
