using System.Runtime.InteropServices;

namespace Rft.Training;

/// <summary>
/// Writes that survive a killed process or a power cut: data flushed to the disk (fsync), folder entries
/// flushed after a rename, and files replaced by renaming a complete copy over them, so a reader sees the
/// old file or the new one, never a part.
/// </summary>
public static partial class DurableFiles
{
    private static bool s_folderSyncUnavailable;

    /// <summary>Flushes the data of the file at <paramref name="path"/> to the disk.</summary>
    public static void FlushFile(string path)
    {
        // fsync flushes the file, not the handle: any handle that may write will do.
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1);
        file.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Flushes the entries of the folder at <paramref name="path"/> (names created, renamed or deleted in it), so
    /// a rename survives a power cut. On Windows, whose file system journals names itself, this does nothing.
    /// </summary>
    public static void FlushFolder(string path)
    {
        if (OperatingSystem.IsWindows() || s_folderSyncUnavailable) return;
        int descriptor;
        try
        {
            descriptor = Open(path, 0 /* O_RDONLY */);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // No C library to ask: the data of every file is flushed anyway; only a rename could be lost.
            s_folderSyncUnavailable = true;
            return;
        }

        if (descriptor < 0) throw new IOException($"{path}: cannot open the folder to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            // Some file systems (network, FUSE) refuse fsync on a folder; their renames are as durable as they get.
            _ = Fsync(descriptor);
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>Replaces the file at <paramref name="path"/> by <paramref name="contents"/>, atomically and durably.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        string temporary = TemporaryPath(path);
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(contents);
                file.Flush(flushToDisk: true);
            }

            Replace(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Replaces the file at <paramref name="path"/> by what <paramref name="write"/> writes, atomically and durably.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string temporary = TemporaryPath(path);
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            Replace(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Renames the complete file <paramref name="source"/> over <paramref name="destination"/> and flushes the folder.</summary>
    public static void Replace(string source, string destination)
    {
        File.Move(source, destination, overwrite: true);
        FlushFolder(Path.GetDirectoryName(Path.GetFullPath(destination))!);
    }

    // Beside the target, so the rename stays on one file system; the process id keeps two writers apart.
    private static string TemporaryPath(string path) => $"{path}.tmp-{Environment.ProcessId}";

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
