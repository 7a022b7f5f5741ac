using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Rft.Hosting;

/// <summary>Recognises the exceptions that mean "an option is wrong" and turns them into the lines a user reads.</summary>
internal static class OptionsProblems
{
    private const string Hint =
        "Options come from appsettings.json (section \"Rft\"), environment variables (Rft__Steps=500) " +
        "and the command line (--Rft:Steps=500), later sources overriding earlier ones.";

    /// <summary>
    /// Collects the problems carried by <paramref name="exception"/>: validation failures, and values the configuration
    /// binder could not convert (<c>--Rft:Steps=abc</c>). False when the exception is about something else.
    /// </summary>
    public static bool TryCollect(Exception exception, out IReadOnlyList<string> failures)
    {
        var collected = new List<string>();
        if (!Collect(exception, collected))
        {
            failures = [];
            return false;
        }

        failures = collected.Distinct(StringComparer.Ordinal).ToArray();
        return true;
    }

    public static void Write(TextWriter error, IReadOnlyList<string> failures)
    {
        error.WriteLine(failures.Count == 1 ? "Invalid option:" : $"Invalid options ({failures.Count}):");
        foreach (var failure in failures)
        {
            error.WriteLine($"  {failure}");
        }

        error.WriteLine(Hint);
    }

    /// <summary>For a configuration source that cannot be read at all (a malformed appsettings.json).</summary>
    public static void WriteUnreadable(TextWriter error, Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        error.WriteLine($"Could not read the configuration: {string.Join(" ", messages)}");
        error.WriteLine(Hint);
    }

    private static bool Collect(Exception exception, List<string> failures)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                failures.AddRange(validation.Failures);
                return true;
            case Rft.Training.InvalidOptionException invalid:
                failures.Add(invalid.Message);
                return true;
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                return aggregate.InnerExceptions.All(inner => Collect(inner, failures));
            case InvalidOperationException when exception.TargetSite?.DeclaringType == typeof(ConfigurationBinder):
                // "Failed to convert configuration value 'abc' at 'Rft:Steps' to type 'System.Int32'."
                failures.Add(exception.Message);
                return true;
            default:
                return false;
        }
    }
}
