using MessagePack;

namespace Rft.Data.Curricula;

/// <summary>
/// Records drawn from a mixture but not used yet, in one bounded FIFO queue per key (a category or a
/// stage), with the keys in the order they were first seen. A record is remembered with its mixture
/// position, so the queues can be saved as positions and rebuilt by replaying the mixture.
/// </summary>
internal sealed class KeyedQueues<T>
{
    private readonly Mixture<T> _mixture;
    private readonly Func<T, CurriculumKey> _keyOf;
    private readonly int _capacity;
    private readonly Dictionary<CurriculumKey, int> _slotOfKey = new();
    private readonly List<CurriculumKey> _keys = new();
    private readonly List<Queue> _queues = new();

    public KeyedQueues(Mixture<T> mixture, Func<T, CurriculumKey> keyOf, int capacity)
    {
        _mixture = mixture;
        _keyOf = keyOf;
        _capacity = capacity;
    }

    /// <summary>Keys seen so far (slots are 0..Count-1, in order of first sight).</summary>
    public int Count => _keys.Count;

    public CurriculumKey KeyOf(int slot) => _keys[slot];

    public bool TryGetSlot(CurriculumKey key, out int slot) => _slotOfKey.TryGetValue(key, out slot);

    /// <summary>Records waiting in the slot's queue.</summary>
    public int Queued(int slot) => _queues[slot].Count;

    /// <summary>The slot of <paramref name="key"/>, added when the key is new.</summary>
    public int Discover(CurriculumKey key)
    {
        if (_slotOfKey.TryGetValue(key, out int slot)) return slot;
        slot = _keys.Count;
        _slotOfKey.Add(key, slot);
        _keys.Add(key);
        _queues.Add(new Queue(_capacity));
        return slot;
    }

    /// <summary>Draws the mixture's next record and discovers its key.</summary>
    public T DrawFromMixture(out int source, out long position, out int slot)
    {
        position = _mixture.Position;
        var record = _mixture.Next(out source);
        slot = Discover(_keyOf(record));
        return record;
    }

    /// <summary>Queues a record; false (the record is dropped) when its queue is full.</summary>
    public bool TryEnqueue(int slot, T record, int source, long position) => _queues[slot].TryAdd(record, source, position);

    public bool TryDequeue(int slot, out T record, out int source) => _queues[slot].TryTake(out record, out source);

    /// <summary>Drops every record queued under the slot.</summary>
    public void ClearSlot(int slot) => _queues[slot].Clear();

    /// <summary>Writes [keys in slot order (integers or strings), queued positions per slot in FIFO order] (two items of the caller's array).</summary>
    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(_keys.Count);
        foreach (var key in _keys) key.Write(ref writer);
        writer.WriteArrayHeader(_queues.Count);
        foreach (var queue in _queues)
        {
            writer.WriteArrayHeader(queue.Count);
            for (int i = 0; i < queue.Count; i++) writer.Write(queue.PositionAt(i));
        }
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote and replays the mixture to <paramref name="position"/>,
    /// queueing again the records at the saved positions. The queues must be empty and the mixture not
    /// past any saved position (a fresh mixture from the same seed).
    /// </summary>
    public void ReadAndReplay(ref MessagePackReader reader, long position)
    {
        if (_keys.Count != 0) throw new InvalidOperationException("Load the state into a fresh curriculum: this one has drawn records already.");
        int keys = reader.ReadArrayHeader();
        for (int i = 0; i < keys; i++) Discover(CurriculumKey.Read(ref reader));
        int slots = reader.ReadArrayHeader();
        if (slots != keys) throw new FormatException($"The state lists {keys} keys but {slots} queues.");
        var saved = new List<(long Position, int Slot)>();
        for (int slot = 0; slot < slots; slot++)
        {
            int count = reader.ReadArrayHeader();
            if (count > _capacity) throw new FormatException($"The state queues {count} records under key {_keys[slot]}; this curriculum holds at most {_capacity}.");
            for (int i = 0; i < count; i++) saved.Add((reader.ReadInt64(), slot));
        }

        saved.Sort();
        if (saved.Count > 0 && (saved[0].Position < _mixture.Position || saved[^1].Position >= position))
            throw new FormatException($"Queued positions {saved[0].Position}..{saved[^1].Position} fall outside the mixture's replay range [{_mixture.Position}, {position}); build a fresh mixture from the same seed.");
        int next = 0;
        _mixture.FastForward(position, (at, record, source) =>
        {
            if (next == saved.Count || saved[next].Position != at) return;
            int slot = saved[next++].Slot;
            var key = _keyOf(record);
            if (key != _keys[slot])
                throw new FormatException($"The record replayed at position {at} has key {key}, but the state queued key {_keys[slot]} there: the mixture is not built from the same seed and sources as the saved run.");
            _queues[slot].TryAdd(record, source, at);
        });
    }

    /// <summary>A ring buffer of records with their sources and mixture positions, allocated once.</summary>
    private sealed class Queue
    {
        private readonly T[] _records;
        private readonly int[] _sources;
        private readonly long[] _positions;
        private int _head;

        public Queue(int capacity)
        {
            _records = new T[capacity];
            _sources = new int[capacity];
            _positions = new long[capacity];
        }

        public int Count { get; private set; }

        public long PositionAt(int index) => _positions[(_head + index) % _positions.Length];

        public bool TryAdd(T record, int source, long position)
        {
            if (Count == _records.Length) return false;
            int at = (_head + Count) % _records.Length;
            _records[at] = record;
            _sources[at] = source;
            _positions[at] = position;
            Count++;
            return true;
        }

        public bool TryTake(out T record, out int source)
        {
            if (Count == 0)
            {
                record = default!;
                source = -1;
                return false;
            }

            record = _records[_head];
            source = _sources[_head];
            _records[_head] = default!;
            _head = (_head + 1) % _records.Length;
            Count--;
            return true;
        }

        public void Clear()
        {
            Array.Clear(_records);
            _head = 0;
            Count = 0;
        }
    }
}
