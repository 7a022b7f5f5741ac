using System.Text.Json.Nodes;
using Rft.Algorithms;
using Rft.Algorithms.Peers;
using static TorchSharp.torch;

namespace Rft.Conformance;

/// <summary>
/// Runs peer-named functions on JSON cases: <c>{"cases":[{"name","function","params","inputs"}]}</c> in, the same
/// cases with an <c>"outputs"</c> object out. Names and keys are verl's and TRL's own, so a case can be produced
/// by calling the peer. All computation is in float64.
/// </summary>
public static class ConformanceRunner
{
    private static readonly Dictionary<string, Func<CaseReader, JsonObject>> Functions = new(StringComparer.Ordinal)
    {
        ["verl.compute_grpo_outcome_advantage"] = c => Advantages(AdvantageEstimators.Grpo(
            c.Input("token_level_rewards"), c.Input("response_mask"), c.Keys("index"),
            c.Double("epsilon", AdvantageEstimators.DefaultEpsilon), c.Bool("norm_adv_by_std_in_grpo", true))),
        ["verl.compute_rloo_outcome_advantage"] = c => Unused(c, "epsilon", Advantages(AdvantageEstimators.Rloo(
            c.Input("token_level_rewards"), c.Input("response_mask"), c.Keys("index")))),
        ["verl.compute_reinforce_plus_plus_outcome_advantage"] = c => Advantages(AdvantageEstimators.ReinforcePlusPlus(
            c.Input("token_level_rewards"), c.Input("response_mask"), c.RequiredDouble("gamma"))),
        ["verl.compute_reinforce_plus_plus_baseline_outcome_advantage"] = c => Unused(c, "epsilon", Advantages(AdvantageEstimators.ReinforcePlusPlusBaseline(
            c.Input("token_level_rewards"), c.Input("response_mask"), c.Keys("index")))),
        ["verl.compute_remax_outcome_advantage"] = c => Advantages(AdvantageEstimators.ReMax(
            c.Input("token_level_rewards"), c.Input("reward_baselines"), c.Input("response_mask"))),
        ["verl.compute_gae_advantage_return"] = c => Advantages(AdvantageEstimators.Gae(
            c.Input("token_level_rewards"), c.Input("values"), c.Input("response_mask"), c.RequiredDouble("gamma"), c.RequiredDouble("lam"))),
        ["verl.kl_penalty"] = c => new JsonObject
        {
            ["kl"] = JsonTensors.Write(KlPenalty.Estimate(c.Input("logprob"), c.Input("ref_logprob"), c.String("kl_penalty", "kl"))),
        },
        ["verl.compute_rewards"] = c => new JsonObject
        {
            ["token_level_rewards"] = JsonTensors.Write(KlPenalty.ComputeRewards(
                c.Input("token_level_scores"), c.Input("old_log_prob"), c.Input("ref_log_prob"), c.RequiredDouble("kl_ratio"))),
        },
        ["verl.apply_kl_penalty"] = c =>
        {
            var (rewards, currentKl) = KlPenalty.InReward(c.Input("token_level_scores"), c.Input("old_log_probs"), c.Input("ref_log_prob"),
                c.Input("response_mask"), c.RequiredDouble("beta"), c.String("kl_penalty", "kl"));
            return new JsonObject { ["token_level_rewards"] = JsonTensors.Write(rewards), ["current_kl"] = JsonTensors.Number(currentKl) };
        },
        ["verl.entropy_from_logits"] = c => new JsonObject { ["entropy"] = JsonTensors.Write(Entropy.FromLogits(c.Input("logits"))) },
        ["verl.compute_entropy_loss"] = c =>
        {
            var (loss, tokens) = Entropy.Loss(c.Input("logits"), c.Input("response_mask"), Mode(c, "token-mean"));
            return new JsonObject { ["entropy_loss"] = JsonTensors.Write(loss), ["token_entropy"] = JsonTensors.Write(tokens) };
        },
        ["verl.agg_loss"] = c => new JsonObject
        {
            ["loss"] = JsonTensors.Write(LossAggregation.Aggregate(c.Input("loss_mat"), c.Input("loss_mask"), Mode(c, null), Scale(c))),
        },
        ["verl.masked_mean"] = c => new JsonObject
        {
            ["mean"] = JsonTensors.Write(Masked.Mean(c.Input("values"), c.Input("mask"), c.OptionalLong("axis"))),
        },
        ["verl.masked_var"] = c => new JsonObject
        {
            ["var"] = JsonTensors.Write(Masked.Variance(c.Input("values"), c.Input("mask"), c.Bool("unbiased", true))),
        },
        ["verl.masked_whiten"] = c => new JsonObject
        {
            ["whitened"] = JsonTensors.Write(Masked.Whiten(c.Input("values"), c.Input("mask"), c.Bool("shift_mean", true))),
        },
        ["verl.compute_policy_loss_vanilla"] = c => PolicyLoss(PolicyLossFunctions.Vanilla(
            c.Input("old_log_prob"), c.Input("log_prob"), c.Input("advantages"), c.Input("response_mask"),
            c.Double("clip_ratio", PolicyLossFunctions.DefaultClipRatio), c.OptionalDouble("clip_ratio_low"), c.OptionalDouble("clip_ratio_high"),
            c.Double("clip_ratio_c", PolicyLossFunctions.DefaultClipRatioC), Mode(c, "token-mean"), c.OptionalInput("rollout_is_weights"), Scale(c))),
        ["verl.compute_policy_loss_gspo"] = c => PolicyLoss(PolicyLossFunctions.Gspo(
            c.Input("old_log_prob"), c.Input("log_prob"), c.Input("advantages"), c.Input("response_mask"),
            c.Double("clip_ratio", PolicyLossFunctions.DefaultClipRatio), c.OptionalDouble("clip_ratio_low"), c.OptionalDouble("clip_ratio_high"),
            c.OptionalInput("rollout_is_weights"), Scale(c, acceptIgnoredMode: true))),
        ["verl.compute_value_loss"] = c =>
        {
            var result = PolicyLossFunctions.ValueLoss(c.Input("vpreds"), c.Input("values"), c.Input("returns"), c.Input("response_mask"),
                c.RequiredDouble("cliprange_value"), Mode(c, "token-mean"));
            return new JsonObject
            {
                ["vf_loss"] = JsonTensors.Write(result.VfLoss),
                ["clipped_vf_losses"] = JsonTensors.Write(result.ClippedVfLosses),
                ["vf_clipfrac"] = JsonTensors.Write(result.VfClipfrac),
            };
        },
        ["verl.AdaptiveKLController.update"] = c =>
        {
            var controller = new AdaptiveKlController(c.RequiredDouble("init_kl_coef"), c.RequiredDouble("target_kl"), c.RequiredDouble("horizon"));
            controller.Update(c.RequiredDouble("current_kl"), c.OptionalLong("n_steps") ?? throw new ConformanceException($"{c.Where}: missing param 'n_steps'."));
            return new JsonObject { ["value"] = JsonTensors.Number(controller.Value) };
        },
        ["trinity.topr_policy_loss"] = c =>
        {
            var result = Topr.Loss(c.Input("old_logprob"), c.Input("logprob"), c.Input("advantages"), c.Input("action_mask"),
                c.Double("advantage_threshold", 0.0), Mode(c, "token-mean"));
            return new JsonObject
            {
                ["topr_loss"] = JsonTensors.Write(result.Loss),
                ["token_losses"] = JsonTensors.Write(result.TokenLosses),
                ["avg_alpha"] = JsonTensors.Write(result.AvgAlpha),
                ["avg_ratio"] = JsonTensors.Write(result.AvgRatio),
            };
        },
        ["trl.grpo_advantages"] = c =>
        {
            var result = TrlGrpo.Advantages(c.Input("rewards_per_func"), c.Input("reward_weights"),
                checked((int)(c.OptionalLong("num_generations") ?? throw new ConformanceException($"{c.Where}: missing param 'num_generations'."))),
                Parse<TrlScaleRewards>(c, "scale_rewards", "group", ["group", "batch", "none"]),
                Parse<TrlMultiObjectiveAggregation>(c, "multi_objective_aggregation", "sum_then_normalize", ["sum_then_normalize", "normalize_then_sum"]));
            return new JsonObject
            {
                ["advantages"] = JsonTensors.Write(result.Advantages),
                ["rewards"] = JsonTensors.Write(result.Rewards),
                ["std_rewards"] = JsonTensors.Write(result.StdRewards),
                ["is_std_zero"] = JsonTensors.Write(result.IsStdZero),
            };
        },
        ["trl.grpo_loss"] = c =>
        {
            var options = new TrlGrpoLossOptions(
                Parse<TrlLossType>(c, "loss_type", "dapo", ["grpo", "bnpo", "dr_grpo", "dapo"]),
                c.Double("beta", 0.0),
                c.Double("epsilon_low", c.Double("epsilon", 0.2)),
                c.OptionalDouble("epsilon_high"),
                c.OptionalDouble("delta"),
                Parse<ImportanceSamplingLevel>(c, "importance_sampling_level", "token", ["token", "sequence"]),
                c.OptionalLong("max_completion_length"),
                c.OptionalDouble("num_items_in_batch"),
                checked((int)(c.OptionalLong("num_processes") ?? 1)),
                checked((int)(c.OptionalLong("current_gradient_accumulation_steps") ?? 1)),
                c.Bool("use_bias_correction_kl", false));
            var result = TrlGrpo.Loss(c.Input("per_token_logps"), c.OptionalInput("old_per_token_logps"), c.OptionalInput("ref_per_token_logps"),
                c.Input("advantages"), c.Input("completion_mask"), options);
            return new JsonObject
            {
                ["loss"] = JsonTensors.Write(result.Loss),
                ["per_token_loss"] = JsonTensors.Write(result.PerTokenLoss),
                ["per_token_kl"] = JsonTensors.Write(result.PerTokenKl),
                ["coef_1"] = JsonTensors.Write(result.Coef1),
                ["clip_ratio_low_mean"] = JsonTensors.Write(result.ClipRatioLowMean),
                ["clip_ratio_high_mean"] = JsonTensors.Write(result.ClipRatioHighMean),
                ["clip_ratio_region_mean"] = JsonTensors.Write(result.ClipRatioRegionMean),
            };
        },
        ["trl.dpo_loss"] = c =>
        {
            // TRL DPOTrainer.dpo_loss with loss_type "sigmoid" and no label smoothing: the product's Dpo.Loss.
            var result = Dpo.Loss(c.Input("chosen_logps"), c.Input("rejected_logps"), c.Input("ref_chosen_logps"), c.Input("ref_rejected_logps"),
                c.RequiredDouble("beta"));
            return new JsonObject
            {
                ["losses"] = JsonTensors.Write(result.Losses),
                ["chosen_rewards"] = JsonTensors.Write(result.ChosenRewards),
                ["rejected_rewards"] = JsonTensors.Write(result.RejectedRewards),
            };
        },
        ["verl.rollout_is_weights"] = c => new JsonObject
        {
            // verl's rollout correction, token level, truncate mode: the product's ImportanceWeights.Truncated.
            ["rollout_is_weights"] = JsonTensors.Write(ImportanceWeights.Truncated(c.Input("old_log_prob"), c.Input("rollout_log_probs"),
                c.Input("response_mask"), c.RequiredDouble("rollout_is_threshold"))),
        },
    };

    /// <summary>The function names a case may use, sorted.</summary>
    public static IReadOnlyList<string> FunctionNames { get; } = Functions.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Runs every case; returns a new document whose cases carry an <c>"outputs"</c> object.</summary>
    /// <exception cref="ConformanceException">For a malformed case or an unknown function, naming the case.</exception>
    public static JsonObject Run(JsonObject document)
    {
        if (document["cases"] is not JsonArray cases)
            throw new ConformanceException("The document must have a \"cases\" array.");
        var output = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            if (cases[i] is not JsonObject item) throw new ConformanceException($"cases[{i}] must be an object.");
            var copy = (JsonObject)item.DeepClone();
            copy["outputs"] = RunCase(copy, i);
            output.Add(copy);
        }

        return new JsonObject { ["cases"] = output };
    }

    private static JsonObject RunCase(JsonObject item, int position)
    {
        string name = item["name"]?.GetValue<string>() ?? $"cases[{position}]";
        string function = item["function"]?.GetValue<string>()
            ?? throw new ConformanceException($"case '{name}': missing \"function\"; valid: {string.Join(", ", FunctionNames)}.");
        if (!Functions.TryGetValue(function, out var run))
            throw new ConformanceException($"case '{name}': unknown function '{function}'; valid: {string.Join(", ", FunctionNames)}.");

        var reader = new CaseReader(name, function, item["params"] as JsonObject ?? [], item["inputs"] as JsonObject ?? []);
        using var scope = NewDisposeScope();
        try
        {
            var outputs = run(reader);
            reader.RejectUnread();
            return outputs;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or OverflowException
                                      or System.Runtime.InteropServices.ExternalException)
        {
            throw new ConformanceException($"{reader.Where}: {e.Message}", e);
        }
    }

    private static JsonObject Advantages(AdvantagesAndReturns result) => new()
    {
        ["advantages"] = JsonTensors.Write(result.Advantages),
        ["returns"] = JsonTensors.Write(result.Returns),
    };

    private static JsonObject PolicyLoss(PolicyLossResult result) => new()
    {
        ["pg_loss"] = JsonTensors.Write(result.PgLoss),
        ["pg_losses"] = JsonTensors.Write(result.PgLosses),
        ["pg_clipfrac"] = JsonTensors.Write(result.PgClipfrac),
        ["pg_clipfrac_lower"] = JsonTensors.Write(result.PgClipfracLower),
        ["ppo_kl"] = JsonTensors.Write(result.PpoKl),
    };

    private static LossAggregationMode Mode(CaseReader c, string? fallback)
    {
        var name = c.String("loss_agg_mode", fallback ?? "");
        if (name.Length == 0) throw new ConformanceException($"{c.Where}: missing param 'loss_agg_mode'; valid: {string.Join(", ", LossAggregation.ModeNames)}.");
        return LossAggregation.ParseMode(name);
    }

    /// <summary>verl's <c>global_batch_info</c> keys.</summary>
    private static LossAggregationScale Scale(CaseReader c, bool acceptIgnoredMode = false)
    {
        // GSPO takes loss_agg_mode but always uses seq-mean-token-mean, as verl does.
        if (acceptIgnoredMode) c.String("loss_agg_mode", "seq-mean-token-mean");
        return new LossAggregationScale(
            checked((int)(c.OptionalLong("dp_size") ?? 1)),
            c.OptionalDouble("batch_num_tokens"),
            c.OptionalDouble("global_batch_size"),
            c.OptionalDouble("loss_scale_factor"));
    }

    private static T Parse<T>(CaseReader c, string key, string fallback, string[] names)
        where T : struct, Enum
    {
        var value = c.String(key, fallback);
        int position = Array.IndexOf(names, value);
        if (position < 0) throw new ConformanceException($"{c.Where}: {key} '{value}' is not supported; valid: {string.Join(", ", names)}.");
        return Enum.GetValues<T>()[position];
    }

    /// <summary>verl accepts the parameter and does not use it.</summary>
    private static JsonObject Unused(CaseReader c, string key, JsonObject outputs)
    {
        c.OptionalDouble(key);
        return outputs;
    }
}
