namespace Rft.Hosting;

/// <summary>
/// Where the human-readable run output goes: progress, evaluation and summary lines to <see cref="Out"/>,
/// option problems and failures to <see cref="Error"/>. Register another instance to capture them.
/// Both writers are synchronized: a stop request is acknowledged from the thread that signals it.
/// </summary>
public sealed class RftConsole(TextWriter output, TextWriter error)
{
    /// <summary>The process's standard output and standard error.</summary>
    public static RftConsole Standard => new(Console.Out, Console.Error);

    public TextWriter Out { get; } = TextWriter.Synchronized(output ?? throw new ArgumentNullException(nameof(output)));

    public TextWriter Error { get; } = TextWriter.Synchronized(error ?? throw new ArgumentNullException(nameof(error)));
}
