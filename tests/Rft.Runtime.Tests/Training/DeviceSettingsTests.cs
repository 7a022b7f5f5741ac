using Rft.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Training;

/// <summary>Rft:Device and Rft:Precision as the trainer resolves them at start.</summary>
public class DeviceSettingsTests
{
    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1)]
    [InlineData("cuda", DeviceType.CUDA, -1)]
    [InlineData("cuda:0", DeviceType.CUDA, 0)]
    [InlineData("cuda:12", DeviceType.CUDA, 12)]
    public void Device_names_parse(string name, DeviceType type, int index)
    {
        Assert.True(DeviceSettings.TryParse(name, out var device));
        Assert.Equal((type, index), device);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:x")]
    [InlineData("CPU")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_names_are_not_devices(string? name)
    {
        Assert.False(DeviceSettings.TryParse(name, out _));
        Assert.Throws<InvalidOptionException>(() => DeviceSettings.Resolve(name ?? string.Empty));
    }

    [Fact]
    public void Cuda_without_a_cuda_libtorch_stops_with_a_message_naming_the_backend_package()
    {
        RftRuntime.EnsureNativeLibrary();
        if (cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, DeviceSettings.Resolve("cuda").type);
            return;
        }

        var error = Assert.Throws<InvalidOptionException>(() => DeviceSettings.Resolve("cuda:1"));
        Assert.Contains("Rft:Device = 'cuda:1'", error.Message);
        Assert.Contains("<RftTorchBackend>cuda</RftTorchBackend>", error.Message);
        Assert.Contains(DeviceSettings.CudaBackendPackage, error.Message);
        Assert.Equal(DeviceType.CPU, DeviceSettings.Resolve("cpu").type);
    }

    [Fact]
    public void Precisions_map_to_dtypes()
    {
        Assert.Equal(ScalarType.Float32, DeviceSettings.DType(Precision.Fp32));
        Assert.Equal(ScalarType.BFloat16, DeviceSettings.DType(Precision.Bf16));
        Assert.Throws<InvalidOptionException>(() => DeviceSettings.DType((Precision)7));
    }
}
