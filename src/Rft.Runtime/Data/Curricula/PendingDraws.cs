namespace Rft.Data.Curricula;

/// <summary>What a curriculum remembers of each record drawn since the last feedback, in draw order; grows, never shrinks.</summary>
internal sealed class PendingDraws<TItem>
{
    private TItem[] _items = new TItem[64];

    public int Count { get; private set; }

    public TItem this[int index] => _items[index];

    public void Add(TItem item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = item;
    }

    /// <summary>Forgets the item at <paramref name="index"/> (a withdrawn draw); later items move up one place.</summary>
    public void RemoveAt(int index)
    {
        CurriculumChecks.Withdrawn(index, Count);
        Array.Copy(_items, index + 1, _items, index, Count - index - 1);
        _items[--Count] = default!;
    }

    /// <summary>Forgets the items (references are cleared so that records can be collected).</summary>
    public void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
    }
}
