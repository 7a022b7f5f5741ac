using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rft.Models;

/// <summary>
/// Builds parameters and bias-free layers with uninitialised weights. TorchSharp's own constructors would
/// run a Kaiming init on the global generator, which is wasted work (weights are then drawn from a seeded
/// generator or copied) and would silently move every other user of that generator.
/// </summary>
internal static class ParameterFactory
{
    /// <summary>
    /// A parameter owned by its module only: detached from any dispose scope open at construction, so a
    /// model built inside a caller's scope outlives it.
    /// </summary>
    public static Parameter Parameter(Tensor data)
    {
        var parameter = new Parameter(data);
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    public static Linear Linear(int inputSize, int outputSize, Device? device, ScalarType dtype) =>
        nn.Linear(Parameter(empty(outputSize, inputSize, dtype, device)));
}
