using Microsoft.CodeAnalysis;

namespace Rft.Generators.Diagnostics;

/// <summary>Diagnostics of the update's shape, device and precision (RFT0070–RFT0079).</summary>
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor InvalidDevice = Error(
        "RFT0070",
        "Unknown device",
        "Device = \"{0}\" is not a device Rft can train on: use \"cpu\", \"cuda\" or \"cuda:N\" (N the GPU's index)");

    public static readonly DiagnosticDescriptor MiniBatchesExceedRows = Error(
        "RFT0071",
        "More mini-batches than completions",
        "MiniBatches = {0} exceeds the {1} completions of a step (PromptsPerStep {2} x GroupSize {3}): a mini-batch needs at least one completion; use at most {1}");

    public static readonly DiagnosticDescriptor MicroBatchLargerThanMiniBatch = Warning(
        "RFT0072",
        "Micro-batch larger than a mini-batch",
        "MicroBatchSize = {0} is larger than a mini-batch ({1} completions: {2} per step over MiniBatches = {3}), so each mini-batch runs in one pass; lower it to bound memory, or set 0 to say so");

    private static readonly DiagnosticDescriptor[] UpdateDescriptors =
    {
        InvalidDevice, MiniBatchesExceedRows, MicroBatchLargerThanMiniBatch,
    };
}
