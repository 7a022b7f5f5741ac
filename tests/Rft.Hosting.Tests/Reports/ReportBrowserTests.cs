using System.Text.Json;
using Rft.Hosting.Reports;
using Rft.Hosting.Tests.Browser;
using Xunit.Abstractions;

namespace Rft.Hosting.Tests.Reports;

/// <summary>
/// The report in a real browser: Debian's chromium, headless, loads report.html with no error, no request for
/// anything outside the file, and shows every plot, which the test checks in a screenshot it takes.
/// </summary>
public sealed class ReportBrowserTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_report_loads_in_chromium_without_errors_and_its_screenshot_shows_every_plot()
    {
        if (Chromium() is not { } chromium) return;

        string run = SyntheticRun.Write(_root.Path);
        Assert.Equal(0, (await VerbRun.RunAsync(["report", run])).ExitCode);
        string page = Path.Combine(run, "report.html");

        await using var browser = await HeadlessChromium.StartAsync(chromium, TimeSpan.FromSeconds(60));
        foreach (var domain in new[] { "Page", "Runtime", "Log", "Network" }) await browser.SendAsync(domain + ".enable");
        await browser.SendAsync("Emulation.setDeviceMetricsOverride", new { width = 1280, height = 900, deviceScaleFactor = 1, mobile = false });
        int seen = browser.Events.Count;
        await browser.SendAsync("Page.navigate", new { url = new Uri(page).AbsoluteUri });
        await browser.WaitForEventAsync("Page.loadEventFired", seen, TimeSpan.FromSeconds(60));

        // The DOM: every expected plot is an SVG laid out with the plot's size.
        var boxes = await browser.EvaluateAsync("""
            JSON.stringify(Array.from(document.querySelectorAll('figure.plot')).map(f => {
                const svg = f.querySelector('svg'); const r = svg ? svg.getBoundingClientRect() : null;
                return { id: f.id, x: r ? r.left + scrollX : 0, y: r ? r.top + scrollY : 0, width: r ? r.width : 0, height: r ? r.height : 0 };
            }))
            """);
        var plots = JsonSerializer.Deserialize<PlotBox[]>(boxes.GetString()!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(ReportTests.ExpectedPlots.Select(id => "plot-" + id).Order(), plots.Select(p => p.Id).Order());
        Assert.All(plots, p => Assert.True(p.Width == ReportChart.Width && p.Height == ReportChart.Height, $"{p.Id} is laid out {p.Width}x{p.Height}"));

        // The screenshot of the whole page.
        var layout = await browser.SendAsync("Page.getLayoutMetrics");
        var size = layout.GetProperty("cssContentSize");
        double width = size.GetProperty("width").GetDouble(), height = size.GetProperty("height").GetDouble();
        var shot = await browser.SendAsync("Page.captureScreenshot", new
        {
            format = "png", captureBeyondViewport = true, clip = new { x = 0, y = 0, width, height, scale = 1 },
        });
        byte[] png = Convert.FromBase64String(shot.GetProperty("data").GetString()!);
        string screenshot = Path.Combine(AppContext.BaseDirectory, "report-screenshot.png");
        File.WriteAllBytes(screenshot, png);
        output.WriteLine($"screenshot: {screenshot}");

        // Each plot's region shows a drawing: several colours (anti-aliased text and lines alone give dozens), and hundreds of
        // pixels in the report's series colours, which only its lines and markers have (an empty plot has none).
        var image = Png.Decode(png);
        Assert.Equal((int)Math.Ceiling(width), image.Width);
        var palette = ReportChart.Palette.Select(c => (c.R << 16) | (c.G << 8) | c.B).ToArray();
        foreach (var plot in plots)
        {
            var colours = new HashSet<int>();
            int seriesPixels = 0;
            for (int y = (int)plot.Y; y < (int)(plot.Y + plot.Height) && y < image.Height; y++)
            {
                for (int x = (int)plot.X; x < (int)(plot.X + plot.Width) && x < image.Width; x++)
                {
                    int rgb = image.Rgb(x, y);
                    colours.Add(rgb);
                    if (palette.Any(p => Close(p, rgb))) seriesPixels++;
                }
            }

            output.WriteLine($"{plot.Id}: {colours.Count} colours, {seriesPixels} pixels in series colours");
            Assert.True(colours.Count >= 8, $"{plot.Id} shows only {colours.Count} colours in {screenshot}");
            Assert.True(seriesPixels >= 300, $"{plot.Id} shows only {seriesPixels} pixels of its series in {screenshot}");
        }

        // Nothing went wrong while loading: no exception, no console error, no failed or outside request.
        var problems = browser.Problems();
        Assert.True(problems.Count == 0, "the page caused: " + string.Join("\n", problems));
    }

    [Fact]
    public async Task The_browser_check_sees_script_errors_and_requests_for_outside_resources()
    {
        if (Chromium() is not { } chromium) return;
        string page = Path.Combine(_root.Path, "broken.html");
        File.WriteAllText(page, """
            <!DOCTYPE html><html><body><img src="http://127.0.0.1:9/plot.png">
            <script>console.error("no data"); throw new Error("broken page");</script></body></html>
            """);

        await using var browser = await HeadlessChromium.StartAsync(chromium, TimeSpan.FromSeconds(60));
        foreach (var domain in new[] { "Page", "Runtime", "Log", "Network" }) await browser.SendAsync(domain + ".enable");
        int seen = browser.Events.Count;
        await browser.SendAsync("Page.navigate", new { url = new Uri(page).AbsoluteUri });
        await browser.WaitForEventAsync("Page.loadEventFired", seen, TimeSpan.FromSeconds(60));

        var problems = browser.Problems();
        Assert.Contains(problems, p => p.StartsWith("exception: ", StringComparison.Ordinal) && p.Contains("broken page"));
        Assert.Contains(problems, p => p.StartsWith("console error: ", StringComparison.Ordinal) && p.Contains("no data"));
        Assert.Contains(problems, p => p == "outside request: http://127.0.0.1:9/plot.png");
    }

    /// <summary>The chromium to test with, or null after saying why the test is skipped; under CI=true a missing chromium fails.</summary>
    private string? Chromium()
    {
        if (HeadlessChromium.Find() is { } chromium) return chromium;
        const string message = "SKIPPED: chromium is not installed (apt-get install -y chromium; .ci/run installs it).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(message + " CI=true requires it.");
        output.WriteLine(message);
        Console.WriteLine(message);
        return null;
    }

    private static bool Close(int a, int b) =>
        Math.Abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff)) <= 8 && Math.Abs(((a >> 8) & 0xff) - ((b >> 8) & 0xff)) <= 8 && Math.Abs((a & 0xff) - (b & 0xff)) <= 8;

    private sealed record PlotBox(string Id, double X, double Y, double Width, double Height);
}
