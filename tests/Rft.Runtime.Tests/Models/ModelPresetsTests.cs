using Rft.Models;

namespace Rft.Runtime.Tests.Models;

public class ModelPresetsTests
{
    [Fact]
    public void Tiny_is_the_documented_shape()
    {
        var config = ModelPresets.Get("tiny", vocabSize: 16, maxPositions: 48);

        Assert.Equal(new LlamaConfig(16, 128, 344, 4, 4, 2, 48), config);
        Assert.Equal(32, config.HeadDim);
        Assert.Equal(["nano", "tiny", "small"], ModelPresets.Names);
        Assert.All(ModelPresets.Names, name => Assert.Empty(ModelPresets.Get(name, 16, 48).Problems()));
    }

    [Fact]
    public void An_unknown_preset_lists_the_valid_names()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelPresets.Get("huge", 16, 48));

        Assert.Contains("\"huge\"", error.Message);
        Assert.Contains("\"nano\", \"tiny\", \"small\"", error.Message);
    }
}
