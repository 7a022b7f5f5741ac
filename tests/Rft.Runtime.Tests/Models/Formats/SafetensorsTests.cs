using System.Buffers.Binary;
using System.Text;
using Rft.Models.Formats;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Models.Formats;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rft-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Round_trip_keeps_names_types_shapes_values_and_metadata()
    {
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(7);
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.weight"] = randn([3, 5], generator: generator),
            ["b.half"] = randn([4, 2], generator: generator).to(ScalarType.Float16),
            ["c.bf16"] = randn([7], generator: generator).to(ScalarType.BFloat16),
            ["d.ids"] = arange(6L).view(2, 3),
            ["e.scalar"] = tensor(3.5),
            ["f.empty"] = zeros(0, 4),
            ["g.strided"] = randn([4, 6], generator: generator).t(),
        };
        string path = Path.Combine(_directory, "round.safetensors");
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(tensors.Keys.Order(), file.Entries.Keys.Order());
        foreach (var (name, expected) in tensors)
        {
            var actual = file.Read(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.True(TensorEquality.Same(expected, actual), name);
        }

        // Header padded with spaces to a multiple of 8, data immediately after.
        var bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
    }

    [Fact]
    public void Reading_converts_half_precision_to_float32_exactly()
    {
        using var scope = NewDisposeScope();
        var original = tensor(new float[] { 1.5f, -2.25f, 0.0078125f, 65504f }).to(ScalarType.BFloat16);
        string path = Path.Combine(_directory, "bf16.safetensors");
        SafetensorsWriter.Write(path, [new("x", original)]);

        using var file = SafetensorsFile.Open(path);
        var read = file.Read("x", ScalarType.Float32);
        Assert.Equal(ScalarType.Float32, read.dtype);
        Assert.True(TensorEquality.Same(original.to(ScalarType.Float32), read));

        var destination = zeros(4, dtype: ScalarType.Float32);
        file.ReadInto("x", destination);
        Assert.True(TensorEquality.Same(read, destination));
    }

    [Fact]
    public void Truncated_file_is_rejected()
    {
        string path = Path.Combine(_directory, "truncated.safetensors");
        using (var scope = NewDisposeScope()) SafetensorsWriter.Write(path, [new("w", ones(16, 16))]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);

        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("\"w\"", error.Message);
        Assert.Contains("truncated", error.Message);

        File.WriteAllBytes(path, bytes[..5]);
        error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("too short for the 8-byte header length", error.Message);
    }

    [Fact]
    public void Overlapping_tensors_are_rejected()
    {
        string path = WriteRaw("overlap",
            """{"first":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"second":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", dataBytes: 24);

        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("tensor \"second\" (bytes [8, 24)) overlaps tensor \"first\" (bytes [0, 16))", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Unknown_dtype_is_rejected()
    {
        string path = WriteRaw("dtype", """{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", dataBytes: 8);

        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("tensor \"w\" has unknown or unsupported dtype \"F33\"", error.Message);
        Assert.Contains("F32", error.Message);
    }

    [Fact]
    public void Shape_and_byte_length_mismatch_is_rejected()
    {
        string path = WriteRaw("mismatch", """{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", dataBytes: 24);

        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("tensor \"w\": shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20) hold 20 (length mismatch)", error.Message);
    }

    [Fact]
    public void Huge_header_length_is_rejected_without_reading_it()
    {
        string path = Path.Combine(_directory, "huge-header.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue - 3);
        File.WriteAllBytes(path, bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "opening allocated a buffer for the claimed header");
        Assert.Contains($"the header claims {ulong.MaxValue - 3} bytes, more than the 100000000-byte limit", error.Message);

        // Below the cap but beyond the file's end: a truncated file, not an allocation.
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 50_000_000);
        File.WriteAllBytes(path, bytes);
        error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("the header claims 50000000 bytes but only 56 follow the length prefix (truncated file)", error.Message);
    }

    [Fact]
    public void Huge_shape_is_rejected_before_any_allocation()
    {
        string overflow = WriteRaw("overflow", """{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}""", dataBytes: 16);
        string large = WriteRaw("large", """{"w":{"dtype":"BF16","shape":[1000000,1000000],"data_offsets":[0,16]}}""", dataBytes: 16);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var overflowError = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(overflow));
        var largeError = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(large));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "opening allocated memory for the claimed shape");

        Assert.Contains("tensor \"w\": shape [4294967296, 4294967296...] x 4-byte F32 overflows a 64-bit byte count", overflowError.Message);
        Assert.Contains("needs 2000000000000 bytes but data_offsets [0, 16) hold 16", largeError.Message);
    }

    [Fact]
    public void Offsets_out_of_bounds_are_rejected()
    {
        string past = WriteRaw("past", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[16,32]}}""", dataBytes: 16);
        string reversed = WriteRaw("reversed", """{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}""", dataBytes: 16);
        string negative = WriteRaw("negative", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", dataBytes: 16);

        Assert.Contains("tensor \"w\": data_offsets [16, 32) run past the data region of 16 bytes",
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(past)).Message);
        Assert.Contains("data_offsets [8, 4) end before they begin",
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(reversed)).Message);
        Assert.Contains("data_offsets [-4,0] must be two non-negative integers",
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(negative)).Message);
    }

    [Fact]
    public void Malformed_header_fields_are_rejected()
    {
        Assert.Contains("the header is not valid JSON",
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(WriteRaw("json", "{\"w\":", 0))).Message);
        Assert.Contains("shape dimension 1 is negative (-2)",
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(
                WriteRaw("negdim", """{"w":{"dtype":"F32","shape":[3,-2],"data_offsets":[0,0]}}""", 0))).Message);
        Assert.Contains("tensor \"w\" appears twice",
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(
                WriteRaw("twice", """{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}""", 8))).Message);
    }

    private string WriteRaw(string name, string header, int dataBytes)
    {
        string path = Path.Combine(_directory, name + ".safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
