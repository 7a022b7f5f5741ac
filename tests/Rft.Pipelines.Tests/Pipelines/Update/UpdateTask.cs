using Rft;

namespace Rft.Pipelines.Tests.Pipelines.Update;

/// <summary>
/// The members every update-shape pipeline shares: the echo task with a second, length-shaped reward so that every group's
/// scores differ (a non-zero advantage on every row), and a reward that fails (masks its sample) when a completion starts
/// with '9', so the normalisers meet masked rows.
/// </summary>
public static class UpdateTask
{
    public static IEnumerable<DigitTask> Digits(Random rng) => EchoDigit.Digits(rng);

    public static string Render(DigitTask task) => $"{task.Digit}:";

    public static float Echoed(int digit, Completion c) => c.Text.Length > 0 && c.Text[0] == (char)('0' + digit) ? 1f : 0f;

    public static float Length(Completion c) => c.Text.Length > 0 && c.Text[0] == '9' ? float.NaN : c.TokenCount / 3f;
}
