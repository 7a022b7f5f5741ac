namespace Rft.Training;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code", eq. 1):
/// with n samples of which c are correct, pass@k = 1 - C(n - c, k) / C(n, k), the probability that k samples drawn
/// without replacement from the n include a correct one. With n = k it is 1 when any sample is correct, else 0.
/// </summary>
public static class PassAtK
{
    /// <summary>The estimate for one problem; the product form avoids the binomials' overflow (as in the paper's code).</summary>
    public static double Estimate(int samples, int correct, int k)
    {
        if (k < 1 || k > samples)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be in [1, samples = {samples}].");
        if (correct < 0 || correct > samples)
            throw new ArgumentOutOfRangeException(nameof(correct), $"correct = {correct} must be in [0, samples = {samples}].");
        if (samples - correct < k) return 1.0;

        // C(n - c, k) / C(n, k) = prod_{i = n - c + 1}^{n} (1 - k / i)
        double allWrong = 1.0;
        for (int i = samples - correct + 1; i <= samples; i++) allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }
}
