using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

/// <summary>Killing a run after any step and resuming from the saved state draws the same problems as an uninterrupted run.</summary>
public class CurriculumResumeTests
{
    private const int Steps = 40;

    [Fact]
    public void Uniform_curriculum_resumes_with_the_same_draws()
    {
        CurriculumHarness.AssertResumable(m => new UniformCurriculum<Item>(m), Steps, 1, 7, 20);
    }

    [Fact]
    public void Staged_curriculum_resumes_with_the_same_draws_and_stage()
    {
        static ICurriculum<Item> Build(Rft.Data.Mixture<Item> m) =>
            new StagedCurriculum<Item>(m, r => r.Category, threshold: 0.6, window: 8, discoveryDraws: 16, queueCapacity: 8);

        var run = CurriculumHarness.Run(Build, Steps);
        Assert.True(run.FinalMetrics[1] >= 2, $"the run should pass at least two stages to test resuming across them (passed {run.FinalMetrics[1]})");
        CurriculumHarness.AssertResumable(Build, Steps, 1, 5, 12, 23, 31);
    }

    [Fact]
    public void Self_evolving_curriculum_resumes_with_the_same_draws_and_values()
    {
        static ICurriculum<Item> Build(Rft.Data.Mixture<Item> m) =>
            new SelfEvolvingCurriculum<Item>(m, r => r.Category, alpha: 0.5, temperature: 0.2, seed: 99, queueCapacity: 4);

        var run = CurriculumHarness.Run(Build, Steps);
        Assert.Equal(4, run.FinalMetrics[0]);   // all four categories discovered
        CurriculumHarness.AssertResumable(Build, Steps, 1, 6, 13, 27);
    }

    [Fact]
    public void Pass_rate_filter_resumes_with_the_same_draws_and_histories()
    {
        static ICurriculum<Item> Build(Rft.Data.Mixture<Item> m) =>
            new PassRateFilter<Item>(m, r => r.Key, window: 3, minAttempts: 2, maxSkipsPerDraw: 50);

        var run = CurriculumHarness.Run(Build, Steps);
        Assert.True(run.FinalMetrics[2] > 0, "some problems should be saturated so that skipping is exercised");
        CurriculumHarness.AssertResumable(Build, Steps, 1, 9, 18, 33);
    }

    [Fact]
    public void A_state_of_another_kind_is_rejected_by_name()
    {
        var staged = new StagedCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 4);
        var uniform = new UniformCurriculum<Item>(CurriculumHarness.CreateMixture());
        var error = Assert.Throws<FormatException>(() => uniform.LoadState(staged.SaveState()));
        Assert.Contains("StagedCurriculum", error.Message);
    }

    [Fact]
    public void Loading_into_a_mixture_already_past_the_saved_position_fails_clearly()
    {
        var saved = new UniformCurriculum<Item>(CurriculumHarness.CreateMixture());
        var records = new Item[4];
        var sources = new int[4];
        saved.Draw(records, sources);
        var mixture = CurriculumHarness.CreateMixture();
        mixture.Take(10);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new UniformCurriculum<Item>(mixture).LoadState(saved.SaveState()));
        Assert.Contains("fresh mixture", error.Message);
    }

    [Fact]
    public void Feedback_must_cover_every_record_drawn_since_the_last_feedback()
    {
        var curriculum = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 1.0, seed: 1);
        curriculum.Draw(new Item[3], new int[3]);
        curriculum.Draw(new Item[2], new int[2]);
        var error = Assert.Throws<ArgumentException>(() => curriculum.Feedback(new double[3], new double[3]));
        Assert.Contains("5 records were drawn", error.Message);
        curriculum.Feedback(new double[5], new double[5]);
    }
}
