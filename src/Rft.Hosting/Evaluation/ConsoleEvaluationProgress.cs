using System.Globalization;
using Rft.Training;

namespace Rft.Hosting.Evaluation;

/// <summary>Prints an evaluation's progress, a line each time a stage passes another tenth of the problems, and at its end.</summary>
internal sealed class ConsoleEvaluationProgress(TextWriter output) : IProgress<EvaluationProgress>
{
    private string? _stage;
    private int _tenths;

    public void Report(EvaluationProgress value)
    {
        if (value.Stage != _stage)
        {
            _stage = value.Stage;
            _tenths = 0;
        }

        int tenths = value.Total == 0 ? 10 : 10 * value.Done / value.Total;
        if (tenths <= _tenths && value.Done < value.Total) return;
        _tenths = tenths;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval {value.Stage,-7} {value.Done,6}/{value.Total}  accuracy {value.Accuracy:F3}"));
    }
}
