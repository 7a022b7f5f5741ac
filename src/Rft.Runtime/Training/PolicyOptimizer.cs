using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// AdamW over the trainable parameters of a module, with global gradient-norm clipping and the
/// warm-up + cosine schedule applied at every step.
/// </summary>
public sealed class PolicyOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly AdamW _adamW;
    private readonly OptimizerSettings _settings;

    public PolicyOptimizer(nn.Module module, OptimizerSettings settings)
    {
        _settings = settings;
        _parameters = module.parameters().Where(p => p.requires_grad).ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("The module has no trainable parameters.", nameof(module));
        _adamW = optim.AdamW(_parameters, settings.LearningRate, settings.Beta1, settings.Beta2, settings.AdamEpsilon, settings.WeightDecay);
    }

    /// <summary>The learning rate used by the last step.</summary>
    public double LearningRate { get; private set; }

    /// <summary>The trainable parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    public void ZeroGrad() => _adamW.zero_grad();

    /// <summary>Clips gradients, sets the scheduled learning rate and updates; returns the norm before clipping.</summary>
    public double Step(int step)
    {
        double norm = _settings.MaxGradNorm > 0
            ? nn.utils.clip_grad_norm_(_parameters, _settings.MaxGradNorm)
            : GradNorm();
        LearningRate = LearningRateSchedule.WarmupCosine(step, _settings.LearningRate, _settings.WarmupSteps, _settings.TotalSteps, _settings.MinLearningRateRatio);
        foreach (var group in _adamW.ParamGroups) group.LearningRate = LearningRate;
        using (NewDisposeScope()) _adamW.step();
        return norm;
    }

    /// <summary>Saves AdamW's moments and step counts.</summary>
    public void Save(string path) => _adamW.save_state_dict(path);

    /// <summary>Restores what <see cref="Save"/> wrote, after checking the file's layout against these parameters (<see cref="OptimizerStateFile"/>).</summary>
    /// <exception cref="FormatException">The file is not the AdamW state of these parameters; the message names it and what differs.</exception>
    public void Load(string path)
    {
        OptimizerStateFile.Validate(path, _parameters);
        _adamW.load_state_dict(path);
    }

    private double GradNorm()
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        foreach (var p in _parameters)
        {
            if (p.grad is null) continue;
            sum += p.grad.pow(2).sum().item<float>();
        }

        return Math.Sqrt(sum);
    }

    public void Dispose() => _adamW.Dispose();
}
