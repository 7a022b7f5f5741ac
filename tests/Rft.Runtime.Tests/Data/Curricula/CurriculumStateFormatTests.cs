using System.Buffers;
using MessagePack;
using Rft.Data;
using Rft.Data.Curricula;

namespace Rft.Runtime.Tests.Data.Curricula;

/// <summary>Curriculum state is plain MessagePack led by [kind, version]; bytes that are not such a state fail with a message saying why.</summary>
public class CurriculumStateFormatTests
{
    [Fact]
    public void A_state_is_standard_MessagePack_led_by_its_kind_and_version()
    {
        var curriculum = new UniformCurriculum<Item>(CurriculumHarness.CreateMixture());
        curriculum.Draw(new Item[5], new int[5]);

        var reader = new MessagePackReader(curriculum.SaveState());
        Assert.Equal(3, reader.ReadArrayHeader());
        Assert.Equal("UniformCurriculum", reader.ReadString());
        Assert.Equal(1, reader.ReadInt32());
        Assert.Equal(5, reader.ReadInt64());     // the mixture's position
        Assert.True(reader.End);
    }

    [Fact]
    public void A_state_of_another_version_is_rejected_naming_both_versions()
    {
        byte[] state = Write((ref writer) =>
        {
            writer.WriteArrayHeader(3);
            writer.Write("UniformCurriculum");
            writer.Write(2);
            writer.Write(0L);
        });
        var error = Assert.Throws<FormatException>(() => new UniformCurriculum<Item>(CurriculumHarness.CreateMixture()).LoadState(state));
        Assert.Contains("version 2", error.Message);
        Assert.Contains("expected 1", error.Message);
    }

    [Fact]
    public void Truncated_or_padded_bytes_are_rejected_naming_the_kind()
    {
        var saved = new SelfEvolvingCurriculum<Item>(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 1.0, seed: 3);
        saved.Draw(new Item[4], new int[4]);
        byte[] state = saved.SaveState();

        var truncated = Assert.Throws<FormatException>(() => Fresh().LoadState(state.AsSpan(0, state.Length - 1)));
        Assert.Contains("Malformed SelfEvolvingCurriculum state", truncated.Message);
        var padded = Assert.Throws<FormatException>(() => Fresh().LoadState([.. state, 0xc0]));
        Assert.Contains("1 bytes after its end", padded.Message);
        Fresh().LoadState(state);

        static SelfEvolvingCurriculum<Item> Fresh() => new(CurriculumHarness.CreateMixture(), r => r.Category, 0.5, 1.0, seed: 3);
    }

    [Fact]
    public void A_random_state_loaded_as_a_curriculum_is_rejected_as_malformed()
    {
        byte[] state = new CheckpointableRandom(5).SaveState();
        var error = Assert.Throws<FormatException>(() => new PassRateFilter<Item>(CurriculumHarness.CreateMixture(), r => r.Key).LoadState(state));
        Assert.Contains("Malformed PassRateFilter state", error.Message);
    }

    private delegate void WriteState(ref MessagePackWriter writer);

    private static byte[] Write(WriteState write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
