namespace Rft.Training;

/// <summary>Greedy exact-match evaluation on held-out records.</summary>
/// <param name="Name">Which evaluation ("sft" after the warm-up, "rl" after RL); summary keys derive from it.</param>
public sealed record EvaluationResult(string Name, int Problems, int Correct, double Seconds)
{
    public double Accuracy => Problems == 0 ? 0 : (double)Correct / Problems;
}
