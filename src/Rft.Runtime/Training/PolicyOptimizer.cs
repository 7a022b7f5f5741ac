using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// AdamW over the trainable parameters of a module, with global gradient-norm clipping and the warm-up + cosine
/// schedule applied at every step. Gradients may be accumulated over several backward passes (micro-batches)
/// between <see cref="ZeroGrad"/> and <see cref="Step"/>. The clip, the update and the reset run on native handles
/// (<see cref="AdamW"/>): in float32 they allocate nothing on the managed heap.
/// </summary>
/// <remarks>
/// Mixed precision: when the module's trainable parameters are 16-bit (bfloat16), AdamW keeps float32 master copies
/// and its moments in float32; <see cref="AccumulateGradients"/> adds each backward's 16-bit gradients into the
/// masters' float32 gradients (call it after every micro-batch so the sum is not rounded to 16 bits), and
/// <see cref="Step"/> clips and updates the masters and writes them back, rounded, into the module.
/// </remarks>
public sealed class PolicyOptimizer : IDisposable
{
    private static readonly AsyncLocal<Action<IReadOnlyList<Parameter>>?> Observer = new();

    private readonly Parameter[] _parameters;
    private readonly Parameter[]? _masters;       // float32 copies of 16-bit parameters, null in float32
    private readonly AdamW _adamW;   // TorchSharp's, updating on native handles
    private readonly OptimizerSettings _settings;

    public PolicyOptimizer(nn.Module module, OptimizerSettings settings)
    {
        _settings = settings;
        _parameters = module.parameters().Where(p => p.requires_grad).ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("The module has no trainable parameters.", nameof(module));
        if (_parameters.Any(p => p.dtype is ScalarType.BFloat16 or ScalarType.Float16))
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            _masters = _parameters.Select(p => new Parameter(p.detach().to(ScalarType.Float32, copy: true))).ToArray();
            foreach (var master in _masters) master.DetachFromDisposeScope();
        }

        _adamW = new AdamW(_masters ?? _parameters, settings);
    }

    /// <summary>The learning rate used by the last step.</summary>
    public double LearningRate { get; private set; }

    /// <summary>The trainable parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>True when AdamW updates float32 master copies of 16-bit parameters.</summary>
    public bool HasMasterWeights => _masters is not null;

    /// <summary>Clears the gradients of the parameters (and of the float32 masters).</summary>
    public void ZeroGrad()
    {
        _adamW.ZeroGrad(_masters ?? _parameters);
        if (_masters is not null) _adamW.ZeroGrad(_parameters);
    }

    /// <summary>
    /// Under mixed precision, adds the 16-bit gradients of the last backward into the float32 master gradients and
    /// clears them; in float32 the gradients already accumulate in place and this does nothing.
    /// </summary>
    public void AccumulateGradients()
    {
        if (_masters is null) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].grad;
            if (grad is null) continue;
            var master = _masters[i];
            if (master.grad is null) master.grad = grad.to(ScalarType.Float32, copy: true).DetachFromDisposeScope();
            else master.grad.add_(grad);
            grad.zero_();
        }
    }

    /// <summary>
    /// Calls <paramref name="observer"/> at every <see cref="Step"/> of any optimizer in this async flow, before clipping, with the
    /// parameters whose accumulated gradients the step applies (the float32 masters' under mixed precision): for tests and
    /// diagnostics that compare what updates computed. Other flows (concurrent runs) are not observed. Dispose to stop.
    /// </summary>
    public static IDisposable ObserveGradients(Action<IReadOnlyList<Parameter>> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var previous = Observer.Value;
        Observer.Value = observer;
        return new Restore(() => Observer.Value = previous);
    }

    /// <summary>Clips gradients, sets the scheduled learning rate and updates; returns the norm before clipping.</summary>
    public double Step(int step)
    {
        AccumulateGradients();
        var updated = _masters ?? _parameters;
        Observer.Value?.Invoke(updated);
        double norm = _settings.MaxGradNorm > 0 ? _adamW.ClipGradNorm(_settings.MaxGradNorm) : GradNorm(updated);
        LearningRate = LearningRateSchedule.WarmupCosine(step, _settings.LearningRate, _settings.WarmupSteps, _settings.TotalSteps, _settings.MinLearningRateRatio);
        foreach (var group in _adamW.ParamGroups) group.LearningRate = LearningRate;   // what its saved state records
        _adamW.Update(LearningRate);
        if (_masters is not null)
        {
            using var _ = no_grad();
            for (int i = 0; i < _parameters.Length; i++) _parameters[i].copy_(_masters[i]);
        }

        return norm;
    }

    /// <summary>Saves AdamW's moments and step counts.</summary>
    public void Save(string path) => _adamW.save_state_dict(path);

    /// <summary>Restores what <see cref="Save"/> wrote, after checking the file's layout against these parameters (<see cref="OptimizerStateFile"/>).</summary>
    /// <exception cref="FormatException">The file is not the AdamW state of these parameters; the message names it and what differs.</exception>
    public void Load(string path)
    {
        OptimizerStateFile.Validate(path, _masters ?? _parameters);   // AdamW's moments are the masters' under mixed precision
        _adamW.load_state_dict(path);
    }

    /// <summary>Under mixed precision, writes the float32 master weights (AdamW's state does not hold them); false in float32, where there are none.</summary>
    public bool SaveMasterWeights(string path)
    {
        if (_masters is null) return false;
        ModuleState.Save(MasterNames(), path);
        return true;
    }

    /// <summary>Restores what <see cref="SaveMasterWeights"/> wrote, so updates go on from the masters' own precision, not the rounded weights.</summary>
    /// <exception cref="FormatException">The file does not match this optimizer's parameters.</exception>
    public void LoadMasterWeights(string path)
    {
        if (_masters is null) throw new InvalidOperationException("This optimizer has no master weights (its parameters are float32).");
        ModuleState.Load(MasterNames(), path);
    }

    private List<KeyValuePair<string, Tensor>> MasterNames() =>
        _masters!.Select((m, i) => KeyValuePair.Create("master." + i.ToString(System.Globalization.CultureInfo.InvariantCulture), (Tensor)m)).ToList();

    private static double GradNorm(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        foreach (var p in parameters)
        {
            if (p.grad is null) continue;
            sum += p.grad.pow(2).sum().item<float>();
        }

        return Math.Sqrt(sum);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    public void Dispose()
    {
        _adamW.Dispose();
        if (_masters is null) return;
        foreach (var master in _masters) master.Dispose();
    }
}
