using Rft.Data;
using Xunit.Abstractions;

namespace Rft.Runtime.Tests.Data;

public class Gsm8kJsonlTests(ITestOutputHelper output)
{
    [Fact]
    public void The_gsm8k_test_split_binds_every_row()
    {
        string? path = SharedFiles.Find(SharedFiles.Gsm8kTest, output);
        if (path is null) return;

        foreach (var source in new[]
        {
            new JsonlSource<Gsm8kRow>(path, TestJsonContext.Default.Gsm8kRow),
            new JsonlSource<Gsm8kRow>(path),
        })
        {
            Assert.Equal(1319, source.Rows.Count);
            Assert.Equal(0, source.Report.Skipped);
            Assert.All(source.Rows, row =>
            {
                Assert.False(string.IsNullOrWhiteSpace(row.Question));
                Assert.Contains("####", row.Answer);
            });
            Assert.StartsWith("Janet", source.Rows[0].Question);
            Assert.EndsWith("#### 18", source.Rows[0].Answer);
        }
    }
}
