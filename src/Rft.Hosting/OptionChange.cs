namespace Rft.Hosting;

/// <summary>An option whose value at resume differs from the one the run started with (JSON text; "(absent)" when one side lacks it).</summary>
/// <param name="ChangesMath">False for options that only change what is logged or kept (<see cref="ResumeOptions.Harmless"/>).</param>
internal sealed record OptionChange(string Name, string Then, string Now, bool ChangesMath)
{
    public override string ToString() => $"Rft:{Name}: {Then} then, {Now} now";
}
