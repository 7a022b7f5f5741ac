namespace Rft.Models.Formats;

/// <summary>A checkpoint file is malformed; the message names the file, the tensor or field, and what is wrong.</summary>
public sealed class SafetensorsFormatException : FormatException
{
    public SafetensorsFormatException(string message) : base(message)
    {
    }

    public SafetensorsFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
