namespace Rft.Data;

/// <summary>What a <see cref="JsonlSource{T}"/> does with a malformed line.</summary>
public enum JsonlErrorPolicy
{
    /// <summary>Throw a <see cref="JsonlFormatException"/> at the first malformed line.</summary>
    Stop,

    /// <summary>Skip malformed lines, counting them by kind in <see cref="JsonlSource{T}.Report"/>.</summary>
    SkipAndCount,
}
