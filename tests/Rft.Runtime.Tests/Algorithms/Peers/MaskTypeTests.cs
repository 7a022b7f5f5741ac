using Rft.Algorithms;
using Rft.Algorithms.Peers;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Algorithms.Peers;

public class MaskTypeTests
{
    [Fact]
    public void Bool_and_integer_masks_give_the_same_results_as_float_masks()
    {
        using var scope = NewDisposeScope();
        var old = tensor(new double[,] { { -1.0, -0.5, -2.0 }, { -0.3, -1.2, -0.7 } });
        var logp = old + tensor(new double[,] { { 0.7, -0.05, -0.9 }, { -0.1, 0.05, 0.3 } });
        var advantages = tensor(new double[,] { { 1.5, -0.5, -2.0 }, { 0.7, 0.7, -1.1 } });
        var floatMask = tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        foreach (var mask in new[] { floatMask.to_type(ScalarType.Bool), floatMask.to_type(ScalarType.Int64) })
        {
            Assert.Equal(PolicyLossFunctions.Vanilla(old, logp, advantages, floatMask).PgLoss.item<double>(),
                PolicyLossFunctions.Vanilla(old, logp, advantages, mask).PgLoss.item<double>(), 12);
            Assert.Equal(PolicyLossFunctions.Gspo(old, logp, advantages, floatMask).PgLoss.item<double>(),
                PolicyLossFunctions.Gspo(old, logp, advantages, mask).PgLoss.item<double>(), 12);
            Assert.Equal(Masked.Whiten(advantages, floatMask).data<double>().ToArray(), Masked.Whiten(advantages, mask).data<double>().ToArray());
            Assert.Equal(AdvantageEstimators.Gae(advantages, old, floatMask, 0.9, 0.8).Advantages.data<double>().ToArray(),
                AdvantageEstimators.Gae(advantages, old, mask, 0.9, 0.8).Advantages.data<double>().ToArray());
            Assert.Equal(TrlGrpo.Loss(logp, old, null, advantages.select(1, 0), floatMask, new TrlGrpoLossOptions()).Loss.item<double>(),
                TrlGrpo.Loss(logp, old, null, advantages.select(1, 0), mask, new TrlGrpoLossOptions()).Loss.item<double>(), 12);
        }
    }
}
