using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rft.Hosting.Tests.Browser;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools Protocol (a websocket, System.Net.WebSockets): the
/// tests navigate, evaluate script in the page, take screenshots and read the console, exception, log and network
/// events the page caused.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly List<JsonElement> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The chromium executable: <c>RFT_CHROMIUM</c>, else chromium or chromium-browser on the PATH; null when there is none.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("RFT_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured)) return configured;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                string candidate = Path.Combine(directory, name);
                if (File.Exists(candidate)) return candidate;
            }
        }

        return null;
    }

    public static async Task<HeadlessChromium> StartAsync(string executable, TimeSpan timeout)
    {
        string profile = Directory.CreateTempSubdirectory("rft-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
            $"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1280,900", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var browser = new HeadlessChromium(process, profile);
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // Chromium writes the port it chose to <profile>/DevToolsActivePort once it listens.
            string portFile = Path.Combine(profile, "DevToolsActivePort");
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(portFile) || new FileInfo(portFile).Length == 0)
            {
                if (process.HasExited || deadline.Elapsed > timeout)
                {
                    string output;
                    lock (log) output = log.ToString();
                    throw new InvalidOperationException($"chromium did not open its DevTools port within {timeout.TotalSeconds} s (exited: {process.HasExited}); its output:\n{output}");
                }

                await Task.Delay(50);
            }

            int port = int.Parse(File.ReadAllLines(portFile)[0], System.Globalization.CultureInfo.InvariantCulture);
            using var http = new HttpClient { Timeout = timeout };
            string? page = null;
            while (page is null)
            {
                var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
                page = targets.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
                if (page is null) await Task.Delay(50);
            }

            using var connect = new CancellationTokenSource(timeout);
            await browser._socket.ConnectAsync(new Uri(page), connect.Token);
            browser._receiving = Task.Run(browser.ReceiveAsync);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every event received so far (<c>{"method": ..., "params": ...}</c>).</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events) return _events.ToArray();
        }
    }

    /// <summary>
    /// What went wrong in the page so far, from the events of the Runtime, Log and Network domains (enable them
    /// first): exceptions, console errors, error log entries, failed requests and requests for anything outside
    /// the page's own file (anything but <c>file:</c> and <c>data:</c> URLs).
    /// </summary>
    public IReadOnlyList<string> Problems() => Events.Select(Problem).OfType<string>().ToArray();

    /// <summary>Sends a command and returns its <c>result</c>; a protocol error throws.</summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters = null, TimeSpan? timeout = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        var answer = await reply.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        if (answer.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{method} failed: {error}");
        return answer.GetProperty("result");
    }

    /// <summary>Waits for an event named <paramref name="method"/> received after <paramref name="seen"/> events.</summary>
    public async Task<JsonElement> WaitForEventAsync(string method, int seen, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var match = Events.Skip(seen).FirstOrDefault(e => e.GetProperty("method").GetString() == method);
            if (match.ValueKind != JsonValueKind.Undefined) return match;
            await Task.Delay(20);
        }

        throw new TimeoutException($"no {method} event within {timeout.TotalSeconds} s");
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value (JSON-serialisable).</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result.TryGetProperty("exceptionDetails", out var exception)) throw new InvalidOperationException($"script failed: {exception}");
        return result.GetProperty("result").GetProperty("value");
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, close.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The browser is killed next anyway.
        }

        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _socket.Dispose();
        try
        {
            await _receiving;
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
        }

        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be closing files of its profile.
        }
    }

    private static string? Problem(JsonElement e)
    {
        string method = e.GetProperty("method").GetString()!;
        var p = e.GetProperty("params");
        return method switch
        {
            "Runtime.exceptionThrown" => "exception: " + p.GetProperty("exceptionDetails"),
            "Runtime.consoleAPICalled" when p.GetProperty("type").GetString() is "error" or "assert" => "console error: " + p.GetProperty("args"),
            "Log.entryAdded" when p.GetProperty("entry").GetProperty("level").GetString() == "error" => "log error: " + p.GetProperty("entry"),
            "Network.loadingFailed" => "failed request: " + p,
            "Network.requestWillBeSent" when p.GetProperty("request").GetProperty("url").GetString() is { } url
                && !url.StartsWith("file:", StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal) => "outside request: " + url,
            _ => null,
        };
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
        {
            var received = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (received.MessageType == WebSocketMessageType.Close) return;
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage) continue;

            var element = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            message.SetLength(0);
            if (element.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var reply))
            {
                reply.TrySetResult(element);
            }
            else if (element.TryGetProperty("method", out _))
            {
                lock (_events) _events.Add(element);
            }
        }
    }
}
