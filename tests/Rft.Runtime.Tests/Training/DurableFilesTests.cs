using Rft.Training;

namespace Rft.Runtime.Tests.Training;

public sealed class DurableFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "rft-durable-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_file_is_replaced_whole_and_no_temporary_file_is_left()
    {
        string path = Path.Combine(_directory, "latest");
        File.WriteAllText(path, "checkpoints/rl-000010\n");

        DurableFiles.WriteAllBytes(path, "checkpoints/rl-000020\n"u8);
        DurableFiles.Write(Path.Combine(_directory, "summary.json"), stream => stream.Write("{}"u8));

        Assert.Equal("checkpoints/rl-000020\n", File.ReadAllText(path));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(_directory, "summary.json")));
        Assert.Equal(["latest", "summary.json"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_writer_that_fails_leaves_the_old_file_and_no_temporary_file()
    {
        string path = Path.Combine(_directory, "summary.json");
        File.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => DurableFiles.Write(path, stream =>
        {
            stream.Write("{\"half"u8);
            throw new InvalidOperationException("killed");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Folders_are_flushed_through_the_C_library_on_Unix()
    {
        DurableFiles.FlushFolder(_directory);
        if (OperatingSystem.IsWindows()) return;

        // Only a real open() reports a folder that is not there: the C library was found and called.
        var error = Assert.Throws<IOException>(() => DurableFiles.FlushFolder(Path.Combine(_directory, "absent")));
        Assert.Contains("cannot open the folder", error.Message, StringComparison.Ordinal);
    }
}
