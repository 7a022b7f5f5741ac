using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rft.ScaleBench;
using Rft.Training;

// The update at real scale, measured. Each configuration runs in its own child process, so its peak resident memory is
// its own. Usage:
//   dotnet run -c Release --project bench/Rft.ScaleBench -- memory [--micro 8] [--decode-rows 8] [--new-tokens 32] [--micro-batches 48]
//   dotnet run -c Release --project bench/Rft.ScaleBench -- qwen [--steps 3] [--configs fp32-full,bf16-full,fp32-lora,bf16-lora] [--work DIR]
if (args is ["child", ..])
{
    Environment.ExitCode = await Child.RunAsync(args[1..]);
    return;
}

if (args is ["memory", ..])
{
    Environment.ExitCode = MemoryBench.Run(args[1..]);
    return;
}

if (args is ["qwen", ..])
{
    Environment.ExitCode = QwenBench.Run(args[1..]);
    return;
}

Console.Error.WriteLine("usage: Rft.ScaleBench memory [--micro N] [--decode-rows N] [--new-tokens N] [--micro-batches N] | qwen [--steps N] [--configs a,b] [--work DIR]");
Environment.ExitCode = 2;
