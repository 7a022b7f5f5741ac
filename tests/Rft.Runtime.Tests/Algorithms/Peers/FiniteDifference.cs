using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

/// <summary>Central finite differences of a scalar float64 function, compared with autograd.</summary>
internal static class FiniteDifference
{
    public static void AssertGradientMatches(Func<Tensor, Tensor> loss, Tensor point, double step = 1e-6, double tolerance = 1e-7)
    {
        using var scope = NewDisposeScope();
        var x = point.detach().clone().requires_grad_();
        loss(x).backward();
        var analytic = x.grad!.data<double>().ToArray();
        var values = point.data<double>().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            double Evaluate(double delta)
            {
                using var inner = NewDisposeScope();
                using var _ = no_grad();
                var shifted = (double[])values.Clone();
                shifted[i] += delta;
                return loss(tensor(shifted).reshape(point.shape)).item<double>();
            }

            double numeric = (Evaluate(step) - Evaluate(-step)) / (2 * step);
            Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance, $"d loss / d x[{i}]: autograd {analytic[i]}, finite difference {numeric}.");
        }
    }
}
