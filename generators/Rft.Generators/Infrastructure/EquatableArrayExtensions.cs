using System;
using System.Collections.Generic;

namespace Rft.Generators.Infrastructure;

internal static class EquatableArrayExtensions
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
        where T : IEquatable<T> => new(items);
}
