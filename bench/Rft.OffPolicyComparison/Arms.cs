using Microsoft.Extensions.Options;
using Rft.Training;

namespace Rft.OffPolicyComparison;

/// <summary>Each arm's trainer, from the shared warm-up, with the bench's steps, seed and learning rate.</summary>
public static class Arms
{
    /// <summary>The trainer of <paramref name="arm"/> and what it does, in words.</summary>
    public static (IPipelineTrainer Trainer, string Description, int RolloutsPerStep) Create(string arm, ComparisonSettings settings, string warmUp, int seed)
    {
        double learningRate = settings.LearningRate ?? 1e-4;
        int reincarnation = settings.ReincarnationStep ?? settings.Steps / 2;
        switch (arm)
        {
            case "grpo":
            {
                var o = new ArithmeticGrpoOptions { PolicyPath = warmUp, SftMaxSteps = 0, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = seed, LearningRate = learningRate, RunDirectory = Path.GetTempPath() };
                Check(o.Validate());
                return (new ArithmeticGrpo.Trainer(Options.Create(o)), "on-policy GRPO, one optimizer step per rollout", o.PromptsPerStep * o.GroupSize);
            }

            case "grpo2":
            {
                // The control: two optimizer steps per rollout on the fresh rows alone (two PPO epochs), no replay.
                var o = new ArithmeticGrpoOptions { PolicyPath = warmUp, SftMaxSteps = 0, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = seed, LearningRate = learningRate, RunDirectory = Path.GetTempPath(), PpoEpochs = 2 };
                Check(o.Validate());
                return (new ArithmeticGrpo.Trainer(Options.Create(o)), "control: GRPO with two optimizer steps per rollout on its fresh rows (PpoEpochs 2), no replay", o.PromptsPerStep * o.GroupSize);
            }

            case "replay":
            {
                var o = new ArithmeticReplayOptions { PolicyPath = warmUp, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = seed, LearningRate = learningRate, RunDirectory = Path.GetTempPath() };
                Check(o.Validate());
                return (new ArithmeticReplay.Trainer(Options.Create(o)), FormattableString.Invariant(
                    $"GRPO with replay: {o.ReplayOnPolicyShare:P0} of each update's rows fresh, the rest replayed from the last {o.ReplayMaxStaleness} steps (rows with a non-zero advantage), behaviour-policy ratio, {o.MiniBatches} optimizer steps per rollout"),
                    o.PromptsPerStep * o.GroupSize);
            }

            case "remix":
            {
                var o = new ArithmeticRemixOptions { PolicyPath = warmUp, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = seed, LearningRate = learningRate, RunDirectory = Path.GetTempPath(), ReincarnationStep = reincarnation };
                Check(o.Validate());
                return (new ArithmeticRemix.Trainer(Options.Create(o)), FormattableString.Invariant(
                    $"ReMix: the replay arm's mix ({o.UpdateToData} optimizer steps per rollout) plus the KL-convex term (beta {o.KlBeta}, {o.KlConvexWeight} to the base, the rest to the precedent policy) and reincarnation at step {o.ReincarnationStep}, then on-policy"),
                    o.PromptsPerStep * o.GroupSize);
            }

            case "raft":
            {
                var o = new ArithmeticRaftOptions { PolicyPath = warmUp, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = seed, LearningRate = learningRate, RunDirectory = Path.GetTempPath() };
                Check(o.Validate());
                return (new ArithmeticRaft.Trainer(Options.Create(o)), FormattableString.Invariant(
                    $"RAFT: the best of each group's {o.GroupSize} completions when it scores at least {o.RaftThreshold} (correct), supervised loss"), o.PromptsPerStep * o.GroupSize);
            }

            case "dpo":
            {
                var o = new ArithmeticDpoOptions { PolicyPath = warmUp, Steps = settings.Steps, EvalEvery = 0, EvalCount = settings.EvalCount, Seed = seed, LearningRate = learningRate, RunDirectory = Path.GetTempPath() };
                Check(o.Validate());
                return (new ArithmeticDpo.Trainer(Options.Create(o)), FormattableString.Invariant(
                    $"GRPO + online DPO combined: each step adds {o.DpoWeight} x the DPO loss (beta {o.DpoBeta}) of each group's best-versus-worst pair against the policy as RL starts"),
                    o.PromptsPerStep * o.GroupSize);
            }

            default:
                throw new ArgumentException($"Unknown arm '{arm}'.", nameof(arm));
        }
    }

    private static void Check(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems));
    }
}
