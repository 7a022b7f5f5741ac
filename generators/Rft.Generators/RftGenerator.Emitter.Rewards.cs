using System.Linq;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        /// <summary>A reward as the trainer summary names it: "Correct (accuracy)", "Length (weight 0: tracked, not rewarded)".</summary>
        private static string RewardLabel(RewardSpec reward)
        {
            string tracked = reward.Weight == 0 ? "weight 0: tracked, not rewarded" : string.Empty;
            if (reward.IsAccuracy) return reward.Method + (tracked.Length == 0 ? " (accuracy)" : " (accuracy; " + tracked + ")");
            return tracked.Length == 0 ? reward.Method : reward.Method + " (" + tracked + ")";
        }

        /// <summary>
        /// Score's weighted total of one completion. Each reward goes through RewardWeight.Apply, so a reward whose
        /// weight is 0 (declared, or set at run time with --Rft:&lt;Reward&gt;Weight=0) adds nothing, not even a NaN.
        /// </summary>
        private static string RewardTotal(TrainerModel t) =>
            string.Join(" + ", t.Rewards.Select(r => $"global::Rft.Training.RewardWeight.Apply(_options.{r.Spec.Method}Weight, {r.Local})"));
    }
}
