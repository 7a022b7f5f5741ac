namespace Rft.Data;

/// <summary>Helpers for finite record sets.</summary>
public static class Records
{
    /// <summary>The first <paramref name="count"/> records of <paramref name="source"/>.</summary>
    /// <exception cref="InvalidOperationException">The source has fewer records; the message names <paramref name="what"/>.</exception>
    public static T[] Take<T>(IEnumerable<T> source, int count, string what)
    {
        var records = new T[count];
        int taken = 0;
        foreach (var record in source)
        {
            if (taken == count) break;
            records[taken++] = record;
        }

        if (taken < count)
            throw new InvalidOperationException($"{what} yielded {taken} records but {count} were asked for (Rft:EvalCount); lower the count or add records.");
        return records;
    }
}
