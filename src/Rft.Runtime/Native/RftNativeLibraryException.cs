namespace Rft;

/// <summary>libtorch or TorchSharp's native bridge could not be loaded; the message names the likely cause.</summary>
public sealed class RftNativeLibraryException : Exception
{
    public RftNativeLibraryException(string message, Exception inner) : base(message, inner)
    {
    }
}
