using Xunit.Abstractions;

namespace Rft.Runtime.Tests;

public class SharedFilesTests
{
    private sealed class Lines : ITestOutputHelper
    {
        public List<string> Written { get; } = new();

        public void WriteLine(string message) => Written.Add(message);

        public void WriteLine(string format, params object[] args) => Written.Add(string.Format(format, args));
    }

    [Fact]
    public void Absent_data_is_a_visible_skip_outside_ci_and_a_failure_under_ci()
    {
        string? ci = Environment.GetEnvironmentVariable("CI");
        try
        {
            var output = new Lines();
            Environment.SetEnvironmentVariable("CI", null);
            Assert.Null(SharedFiles.Find("data/no-such-file.jsonl", output));
            var line = Assert.Single(output.Written);
            Assert.StartsWith("SKIPPED: ", line);
            Assert.Contains("no-such-file.jsonl", line);

            Environment.SetEnvironmentVariable("CI", "true");
            var failure = Assert.ThrowsAny<Exception>(() => SharedFiles.Find("data/no-such-file.jsonl", output));
            Assert.Contains("CI=true requires it", failure.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CI", ci);
        }
    }
}
