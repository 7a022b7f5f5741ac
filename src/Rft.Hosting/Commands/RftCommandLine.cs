using System.CommandLine;
using System.CommandLine.Help;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rft.Hosting.Evaluation;
using Rft.Hosting.Reports;
using Rft.Hosting.Sampling;

namespace Rft.Hosting.Commands;

/// <summary>
/// The verbs of a pipeline program, parsed with System.CommandLine: <c>sample</c>, <c>eval</c> and <c>report</c>, each
/// with <c>--help</c>. Host configuration (<c>--Rft:RunDirectory=...</c>, <c>--Rft:Key value</c>) is taken out of the
/// arguments first and goes to the generic host, so the verbs see the run root and options training uses.
/// Exit codes: 0 done (or help printed), 1 the work failed, 2 an argument or option is invalid.
/// </summary>
internal static class RftCommandLine
{
    /// <summary>The run root when <c>Rft:RunDirectory</c> is not configured: the generated options' default.</summary>
    public const string DefaultRunRoot = "runs";

    /// <summary>Whether <paramref name="argument"/>, the first argument, names a verb, or asks for the verbs' help.</summary>
    public static bool IsVerb(string argument) => argument is "sample" or "eval" or "report" or "--help" or "-h" or "-?";

    public static async Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> configure, CancellationToken cancellationToken)
    {
        var (hostArguments, verbArguments) = SplitHostArguments(args);
        var sample = new SampleVerb();
        var eval = new EvalVerb();
        var report = new ReportVerb();
        var root = new RootCommand("The verbs of an Rft pipeline program; without a verb it trains (options: --Rft:Key=value).")
        {
            sample.Command, eval.Command, report.Command,
        };

        // No response files: a prompt may start with '@'.
        var parse = root.Parse(verbArguments, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var verb = parse.CommandResult.Command;

        if (RftHost.CreateBuilder(hostArguments) is not { } builder) return TrainingOutcome.InvalidOptions;
        configure(builder);
        string runRoot = builder.Configuration["Rft:RunDirectory"] is { Length: > 0 } configured ? configured : DefaultRunRoot;

        // eval loads the pipeline's trainer: its model and the run's options become configuration before the host is built.
        bool proceed = parse.Errors.Count == 0 && parse.Action is null;
        EvalTarget? target = proceed && verb == eval.Command ? EvalCommand.Prepare(eval.Bind(parse), builder, runRoot) : null;

        using var host = builder.Build();
        var console = host.Services.GetService<RftConsole>() ?? RftConsole.Standard;
        if (parse.Action is HelpAction)
        {
            await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken).ConfigureAwait(false);
            return TrainingOutcome.Success;
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) console.Error.WriteLine($"{verb.Name}: {error.Message}");
            console.Error.WriteLine();
            await root.Parse(verb == root ? ["--help"] : [verb.Name, "--help"]).InvokeAsync(new InvocationConfiguration { Output = console.Error }, cancellationToken).ConfigureAwait(false);
            return TrainingOutcome.InvalidOptions;
        }

        try
        {
            if (verb == sample.Command) return SampleCommand.Run(sample.Bind(parse), runRoot, console);
            if (verb == report.Command) return ReportCommand.Run(report.Bind(parse), runRoot, console);
            return await EvalCommand.RunAsync(target!, host.Services, console, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine($"{verb.Name}: stopped.");
            return TrainingOutcome.Success;
        }
        catch (Exception exception)
        {
            console.Error.WriteLine($"{verb.Name} failed: {exception.Message}");
            console.Error.WriteLine(exception);
            return TrainingOutcome.TrainingFailed;
        }
    }

    /// <summary>Host configuration (<c>--Rft:Key=value</c>, <c>--Rft:Key value</c>, <c>/Rft:...</c>) apart from the verb's own arguments.</summary>
    public static (string[] Host, string[] Verb) SplitHostArguments(IReadOnlyList<string> args)
    {
        var host = new List<string>();
        var verb = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--Rft:", StringComparison.OrdinalIgnoreCase) && !args[i].StartsWith("/Rft:", StringComparison.OrdinalIgnoreCase))
            {
                verb.Add(args[i]);
                continue;
            }

            host.Add(args[i]);
            if (!args[i].Contains('=') && i + 1 < args.Count) host.Add(args[++i]);
        }

        return (host.ToArray(), verb.ToArray());
    }
}
