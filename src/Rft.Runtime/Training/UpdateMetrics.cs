using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// Accumulates an update's metrics over its micro-batches on the device, so the whole update waits for the device
/// once, when <see cref="WriteTo"/> reads them. Token-weighted metrics are a micro-batch's masked mean times its valid
/// tokens, so the result is the mean over every token the update saw (each epoch counts its tokens again); the loss is
/// summed per optimizer step and averaged over steps. One buffer, allocated once.
/// </summary>
public sealed class UpdateMetrics : IDisposable
{
    private static readonly int Count = Enum.GetValues<UpdateMetric>().Length;

    private readonly Tensor _sums;               // [Count + 1]: one slot per metric, then the tokens seen
    private readonly bool[] _seen = new bool[Count];
    private readonly double[] _host = new double[Count + 1];
    private Tensor? _weight;                     // the current micro-batch's valid tokens (a device scalar)
    private double _gradNormSum;

    public UpdateMetrics(Device device)
    {
        using var scope = NewDisposeScope();
        _sums = zeros([Count + 1], ScalarType.Float64, device).DetachFromDisposeScope();
    }

    /// <summary>Optimizer steps since <see cref="Reset"/>.</summary>
    public int OptimizerSteps { get; private set; }

    /// <summary>Starts a new update.</summary>
    public void Reset()
    {
        _sums.zero_();
        Array.Clear(_seen);
        _weight?.Dispose();
        _weight = null;
        _gradNormSum = 0;
        OptimizerSteps = 0;
    }

    /// <summary>Starts a micro-batch whose valid tokens are the non-zero entries of <paramref name="mask"/> [rows, T].</summary>
    public void BeginMicroBatch(Tensor mask)
    {
        _weight?.Dispose();
        using var scope = NewDisposeScope();
        _weight = mask.detach().gt(0).sum().to(ScalarType.Float64).DetachFromDisposeScope();
        _sums[Count].add_(_weight);
    }

    /// <summary>Adds a token-weighted metric of the current micro-batch (a masked mean over its tokens).</summary>
    public void Add(UpdateMetric metric, Tensor maskedMean)
    {
        if (_weight is null) throw new InvalidOperationException("BeginMicroBatch first: a token-weighted metric needs the micro-batch's token count.");
        using var scope = NewDisposeScope();
        _sums[(int)metric].add_(maskedMean.detach().to(ScalarType.Float64) * _weight);
        _seen[(int)metric] = true;
    }

    /// <summary>Adds a micro-batch's share of the loss (already scaled to the mini-batch's normaliser).</summary>
    public void AddLoss(Tensor loss)
    {
        using var scope = NewDisposeScope();
        _sums[(int)UpdateMetric.Loss].add_(loss.detach().to(ScalarType.Float64));
        _seen[(int)UpdateMetric.Loss] = true;
    }

    /// <summary>Counts an optimizer step and its gradient norm before clipping.</summary>
    public void EndOptimizerStep(double gradNorm)
    {
        OptimizerSteps++;
        _gradNormSum += gradNorm;
    }

    /// <summary>Reads every accumulated metric (one device sync) into <paramref name="report"/>; metrics never added stay NaN.</summary>
    public void WriteTo(StepReport report)
    {
        var sums = _host;
        using (var scope = NewDisposeScope())
        {
            using var accessor = _sums.cpu().data<double>();
            accessor.CopyTo(sums);
        }

        double tokens = sums[Count];
        double TokenMean(UpdateMetric m) => _seen[(int)m] && tokens > 0 ? sums[(int)m] / tokens : double.NaN;
        report.OptimizerSteps = OptimizerSteps;
        report.Loss = _seen[(int)UpdateMetric.Loss] && OptimizerSteps > 0 ? sums[(int)UpdateMetric.Loss] / OptimizerSteps : double.NaN;
        report.GradNorm = OptimizerSteps > 0 ? _gradNormSum / OptimizerSteps : double.NaN;
        report.ClipFractionHigh = TokenMean(UpdateMetric.ClipFractionHigh);
        report.ClipFractionLow = TokenMean(UpdateMetric.ClipFractionLow);
        report.ClipFraction = report.ClipFractionHigh + report.ClipFractionLow;
        report.ApproxKl = TokenMean(UpdateMetric.ApproxKl);
        if (_seen[(int)UpdateMetric.Kl]) report.Kl = TokenMean(UpdateMetric.Kl);
        if (_seen[(int)UpdateMetric.Entropy]) report.Entropy = TokenMean(UpdateMetric.Entropy);
    }

    public void Dispose()
    {
        _sums.Dispose();
        _weight?.Dispose();
    }
}
