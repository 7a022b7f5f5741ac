using System;

namespace Rft.Generators.Specs;

/// <summary>The members of <c>Rft.StepView</c>, as flags: what a user term reads.</summary>
[Flags]
internal enum StepQuantity
{
    None = 0,
    LogProbs = 1,
    OldLogProbs = 2,
    RefLogProbs = 4,
    Entropy = 8,
    Advantages = 16,
    Scores = 32,
    Mask = 64,
    Values = 128,
    Returns = 256,

    /// <summary>Everything a pipeline without a value head can produce.</summary>
    AllButValues = LogProbs | OldLogProbs | RefLogProbs | Entropy | Advantages | Scores | Mask,
}
