using Rft.Bench;

// dotnet run -c Release --project bench/Rft.Bench -- [alloc | breakdown | fused | rollout | speed] [options]; see each bench's summary.
Environment.ExitCode = args switch
{
    ["fused", ..] => FusedLogProbBench.Run(args[1..]),
    ["speed", ..] => await SpeedBench.Run(args[1..]),
    ["rollout", ..] => RolloutBench.Run(args[1..]),
    ["alloc", ..] => await AllocationBench.Run(args[1..]),
    ["breakdown", ..] => BreakdownBench.Run(args[1..]),
    _ => await AllocationBench.Run(args),
};
