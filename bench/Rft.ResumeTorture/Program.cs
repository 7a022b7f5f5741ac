using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rft.Hosting;
using Rft.ResumeTorture;

// Kills a training run at random moments with SIGKILL and resumes it, then checks that it ends exactly as an
// uninterrupted run does. Usage:
//   dotnet run -c Release --project bench/Rft.ResumeTorture -- [--trials 10] [--seed 1] [--work DIR]
// ("host" runs the pipeline's generated host itself: the bench starts itself as the training process.)
if (args is ["host", ..]) return await RftHost.RunAsync(args[1..], static builder => builder.Services.AddTorturePipeline());

int trials = BenchOptions.Int(args, "--trials", 10), seed = BenchOptions.Int(args, "--seed", 1);
string work = args.SkipWhile(a => a != "--work").Skip(1).FirstOrDefault() ?? Directory.CreateTempSubdirectory("rft-torture-").FullName;
var random = new Random(seed);

Console.WriteLine("Uninterrupted run...");
var watch = Stopwatch.StartNew();
var reference = RunToEnd(Path.Combine(work, "whole"), resume: null, out _);
double wholeSeconds = watch.Elapsed.TotalSeconds;
Console.WriteLine($"  {reference.Lines.Count} step lines in {wholeSeconds:F1} s; weights {Hash(reference.Weights)}, optimizer {Hash(reference.Optimizer)}");

int identical = 0;
var failures = new List<string>();
for (int trial = 1; trial <= trials; trial++)
{
    string root = Path.Combine(work, $"trial-{trial:D2}");
    // A moment anywhere in the run: process start-up, the warm-up, RL, a checkpoint being written, the final save.
    var killAt = TimeSpan.FromSeconds(random.NextDouble() * wholeSeconds);
    if (Directory.Exists(root)) Directory.Delete(root, recursive: true);   // a redrawn trial starts from nothing
    bool finishedFirst;
    using (var process = Start(root, resume: null))
    {
        process.WaitForExit(killAt);
        finishedFirst = process.HasExited;
        if (!finishedFirst) _ = kill(process.Id, 9);
        process.WaitForExit();
    }

    if (finishedFirst)
    {
        // Slower than the reference run (a busy machine): nothing was killed; draw the moment again.
        trial--;
        wholeSeconds *= 0.9;
        continue;
    }

    string? run = Directory.Exists(root) ? Directory.GetDirectories(root).SingleOrDefault() : null;
    string where = run is null ? "before the run directory existed" : Describe(run);
    // A run killed before its first checkpoint has nothing to resume: it is started again, as a user would.
    bool resumable = run is not null && Directory.Exists(Path.Combine(run, "checkpoints")) && Directory.EnumerateDirectories(Path.Combine(run, "checkpoints"), "*-0*").Any();
    if (!resumable && Directory.Exists(root)) Directory.Delete(root, recursive: true);   // started again from nothing
    var result = RunToEnd(root, resumable ? run : null, out int exit);
    bool same = exit == 0 && result.Lines.SequenceEqual(reference.Lines) && result.Weights.SequenceEqual(reference.Weights) && result.Optimizer.SequenceEqual(reference.Optimizer);
    if (same) identical++;
    else failures.Add($"trial {trial}: killed at {killAt.TotalSeconds:F1} s ({where}), exit {exit}");
    Console.WriteLine($"trial {trial,2}: killed at {killAt.TotalSeconds,5:F1} s {where}; {(resumable ? "resumed" : "restarted")}: {(same ? "bit-identical" : "DIFFERENT")}");
}

Console.WriteLine();
Console.WriteLine($"{identical}/{trials} resumed bit-identical");
foreach (var failure in failures) Console.WriteLine("  " + failure);
return identical == trials ? 0 : 1;

static (List<string> Lines, byte[] Weights, byte[] Optimizer) RunToEnd(string root, string? resume, out int exit)
{
    using var process = Start(root, resume);
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    exit = process.ExitCode;
    string run = resume ?? Directory.GetDirectories(root).Single();
    string checkpoint = Path.Combine(run, "checkpoint");
    if (exit != 0 || !Directory.Exists(checkpoint)) return ([], [], []);
    return (Rft.Hosting.MetricsFile.StepLinesWithoutWallClock(Path.Combine(run, "metrics.jsonl")), File.ReadAllBytes(Path.Combine(checkpoint, "model.safetensors")),
        File.ReadAllBytes(Path.Combine(checkpoint, "optimizer.dat")));
}

static Process Start(string root, string? resume)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) // not the apphost
        info.ArgumentList.Add(typeof(TorturePipeline).Assembly.Location);
    info.ArgumentList.Add("host");
    info.ArgumentList.Add("--Rft:RunDirectory=" + root);
    if (resume is not null) info.ArgumentList.Add("--Rft:Resume=" + resume);
    var process = Process.Start(info)!;
    _ = process.StandardError.ReadToEndAsync();
    return process;
}

// Where the killed run stood: its last step line and any half-written checkpoint.
static string Describe(string run)
{
    var metrics = Path.Combine(run, "metrics.jsonl");
    string last = File.Exists(metrics) ? File.ReadLines(metrics).LastOrDefault(l => l.Length > 0) ?? "" : "";
    string step = last.Length == 0 ? "before its first step" : "after " + (JsonNode.Parse(last) is JsonObject o && o["step"] is { } s ? $"{o["phase"]} step {s}" : "an evaluation");
    bool partial = Directory.Exists(Path.Combine(run, "checkpoints")) && Directory.EnumerateDirectories(Path.Combine(run, "checkpoints"), ".tmp-*").Any();
    return step + (partial ? ", mid-checkpoint" : string.Empty);
}


static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes))[..12];

[DllImport("libc", SetLastError = true)]
static extern int kill(int pid, int signal);
