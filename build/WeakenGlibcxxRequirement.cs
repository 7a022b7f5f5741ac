// Compiled by MSBuild's RoslynCodeTaskFactory (see TorchSharpNativeFix.targets).
// Marks one symbol-version requirement of libLibTorchSharp.so weak, in place, when the system
// libstdc++ does not define that version. ELF64 little-endian only (the linux-x64 package).
using System;
using System.IO;
using System.Text;

public class RftWeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
{
    public string Directory { get; set; } = "";
    public string Version { get; set; } = "";

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 2;

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        if (SystemLibStdCxxHas(Version))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "Rft: system libstdc++ defines " + Version + "; TorchSharp's native library needs no change.");
            return true;
        }
        foreach (var path in System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                var changed = Weaken(bytes, "libstdc++.so.6", Version);
                if (changed)
                {
                    // Write a new file and move it over, so a hard link into the NuGet cache is never modified.
                    var temp = path + ".rft-tmp";
                    File.WriteAllBytes(temp, bytes);
                    File.Copy(temp, path, true);
                    File.Delete(temp);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "Rft: marked " + Version + " weak in " + path + " (system libstdc++ lacks it).");
                }
            }
            catch (Exception e)
            {
                Log.LogWarning("Rft: could not adjust " + path + " for the system libstdc++ (" + e.Message + "); TorchSharp may fail to load.");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool SystemLibStdCxxHas(string version)
    {
        string[] candidates = { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/libstdc++.so.6" };
        foreach (var candidate in candidates)
        {
            if (!File.Exists(candidate)) continue;
            var text = Encoding.ASCII.GetString(File.ReadAllBytes(candidate));
            return text.Contains(version + "\0");
        }
        return true; // No system libstdc++ found where expected: leave the library as shipped.
    }

    // Returns true when the flag was set (false when already weak or not required).
    private static bool Weaken(byte[] elf, string file, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not an ELF64 little-endian file");
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int strtab = checked((int)BitConverter.ToUInt64(elf, checked((int)shoff + link * shentsize) + 0x18));
            int need = offset;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(elf, need + 2);
                string needFile = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, need + 4));
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < cnt; a++)
                {
                    string name = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                    if (needFile == file && name == version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0) return false;
                        flags |= VerFlagWeak;
                        elf[aux + 4] = (byte)(flags & 0xff);
                        elf[aux + 5] = (byte)(flags >> 8);
                        return true;
                    }
                    int nextAux = (int)BitConverter.ToUInt32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                int next = (int)BitConverter.ToUInt32(elf, need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return false;
    }

    private static string ReadString(byte[] elf, int start)
    {
        int end = start;
        while (elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, start, end - start);
    }
}
