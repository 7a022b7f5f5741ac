using Rft.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rft.Training;

/// <summary>
/// A batch of (prompt, target) demonstrations for supervised cross-entropy, right-padded:
/// each row is <c>BOS prompt target EOS</c>; the loss covers the target and the EOS.
/// Host arrays and tensors are allocated once for the largest batch; the tensors live on the batch's device
/// (host staging on the CPU, copied over once per upload when the device is another).
/// </summary>
public sealed class SupervisedBatch : IDisposable
{
    private readonly int _maxRows;
    private readonly int _maxLength;
    private readonly long[] _inputs;
    private readonly long[] _labels;
    private readonly float[] _lossMask;
    private readonly bool[] _attention;
    private readonly long[] _positions;
    private readonly int[] _scratch;
    private readonly int[] _targetTokens;        // per row: tokens the loss covers (target and EOS)
    private readonly Device _device;
    private readonly Tensor _inputsTensor;
    private readonly Tensor _labelsTensor;
    private readonly Tensor _lossMaskTensor;
    private readonly Tensor _attentionTensor;
    private readonly Tensor _positionsTensor;
    private readonly Dictionary<Tensor, Tensor> _staging = new(ReferenceEqualityComparer.Instance);  // device buffer -> its CPU mirror, off-CPU only
    private int _rows;
    private int _longest;

    /// <param name="maxLength">Longest row in tokens, BOS and EOS included.</param>
    /// <param name="device">Where the tensors live (the policy's device); null: the CPU.</param>
    public SupervisedBatch(int maxRows, int maxLength, Device? device = null)
    {
        _maxRows = maxRows;
        _maxLength = maxLength;
        int cells = maxRows * maxLength;
        _inputs = new long[cells];
        _labels = new long[cells];
        _lossMask = new float[cells];
        _attention = new bool[cells];
        _positions = new long[cells];
        _scratch = new int[maxLength + 1];
        _targetTokens = new int[maxRows];
        _device = device ?? CPU;
        using var scope = NewDisposeScope();
        _inputsTensor = zeros([maxRows, maxLength], ScalarType.Int64, _device).DetachFromDisposeScope();
        _labelsTensor = zeros([maxRows, maxLength], ScalarType.Int64, _device).DetachFromDisposeScope();
        _lossMaskTensor = zeros([maxRows, maxLength], ScalarType.Float32, _device).DetachFromDisposeScope();
        _attentionTensor = zeros([maxRows, maxLength], ScalarType.Bool, _device).DetachFromDisposeScope();
        _positionsTensor = zeros([maxRows, maxLength], ScalarType.Int64, _device).DetachFromDisposeScope();
        if (_device.type != DeviceType.CPU)
        {
            foreach (var buffer in new[] { _inputsTensor, _labelsTensor, _lossMaskTensor, _attentionTensor, _positionsTensor })
                _staging[buffer] = zeros(buffer.shape, buffer.dtype, CPU).DetachFromDisposeScope();
        }
    }

    public int Rows => _rows;

    /// <summary>Tokens the loss covers (targets and EOS) in rows [<paramref name="start"/>, +<paramref name="count"/>), counted on the host.</summary>
    public int TargetTokens(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > _rows)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are outside the batch's {_rows} rows.");
        int total = 0;
        for (int i = start; i < start + count; i++) total += _targetTokens[i];
        return total;
    }

    /// <summary>Tokens the loss covers in the whole batch.</summary>
    public int TargetTokens() => TargetTokens(0, _rows);

    public void Clear()
    {
        _rows = 0;
        _longest = 0;
    }

    /// <summary>Tokenizes and appends one demonstration.</summary>
    public void Add(string prompt, string target, ITokenizer tokenizer)
    {
        if (_rows == _maxRows) throw new InvalidOperationException($"The batch holds at most {_maxRows} rows.");
        int row = _rows * _maxLength;

        // The whole sequence [BOS] prompt target EOS; inputs are all but its last token, labels all but its first.
        int bos = tokenizer.HasBosToken ? 1 : 0;
        if (bos == 1) _scratch[0] = tokenizer.BosId;
        int promptTokens = EncodeInto(prompt, tokenizer, bos, "prompt");
        if (bos + promptTokens == 0)
            throw new ArgumentException("The prompt is empty and the tokenizer has no BOS token: nothing would predict the demonstration's first token.", nameof(prompt));
        int targetTokens = EncodeInto(target, tokenizer, bos + promptTokens, "demonstration");
        int sequence = bos + promptTokens + targetTokens + 1;
        _scratch[sequence - 1] = tokenizer.EosId;
        int length = sequence - 1;

        Array.Clear(_inputs, row, _maxLength);
        Array.Clear(_labels, row, _maxLength);
        Array.Clear(_lossMask, row, _maxLength);
        Array.Clear(_attention, row, _maxLength);
        Array.Clear(_positions, row, _maxLength);
        int firstTargetLabel = bos + promptTokens - 1;   // label i is sequence token i + 1
        for (int i = 0; i < length; i++)
        {
            _inputs[row + i] = _scratch[i];
            _labels[row + i] = _scratch[i + 1];
            _attention[row + i] = true;
            _positions[row + i] = i;
            if (i >= firstTargetLabel) _lossMask[row + i] = 1f;
        }

        _targetTokens[_rows] = length - firstTargetLabel;

        _longest = Math.Max(_longest, length);
        _rows++;
    }

    private int EncodeInto(string text, ITokenizer tokenizer, int offset, string what)
    {
        // The sequence holds at most maxLength + 1 tokens (inputs are one shorter); one slot stays free for EOS.
        var room = _scratch.AsSpan(offset, Math.Max(0, _maxLength - offset));
        int written = tokenizer.Encode(text, room);
        if (written > room.Length)
            throw new ArgumentException($"The {what} '{text}' needs {written} tokens: a demonstration row holds at most {_maxLength} tokens, BOS and EOS included (raise Rft:MaxPromptTokens or Rft:MaxNewTokens).");
        return written;
    }

    /// <summary>[rows, L] token ids (BOS, prompt, target), right-padded.</summary>
    public Tensor InputIds => Upload(_inputs, _inputsTensor);

    /// <summary>[rows, L] next-token labels (prompt, target, EOS).</summary>
    public Tensor Labels => Upload(_labels, _labelsTensor);

    /// <summary>[rows, L] 1 where the label belongs to the target or is the EOS.</summary>
    public Tensor LossMask => Upload(_lossMask, _lossMaskTensor);

    /// <summary>[rows, L] true on real tokens.</summary>
    public Tensor AttentionMask => Upload(_attention, _attentionTensor);

    /// <summary>[rows, L] positions from 0 at BOS.</summary>
    public Tensor PositionIds => Upload(_positions, _positionsTensor);

    /// <summary>Every tensor of the batch, uploaded once, as views in the caller's dispose scope.</summary>
    public SupervisedRows All() => new(InputIds, Labels, LossMask, AttentionMask, PositionIds);

    // Copies the filled rows into the persistent tensor; returns a view [rows, longest] owned by the caller's scope.
    private Tensor Upload<T>(T[] values, Tensor buffer) where T : unmanaged
    {
        var host = _staging.TryGetValue(buffer, out var mirror) ? mirror : buffer;
        using (var accessor = host.data<T>()) accessor.CopyFrom(values.AsSpan(0, _rows * _maxLength), 0, 0);
        var rows = buffer.narrow(0, 0, _rows);
        if (!ReferenceEquals(host, buffer)) rows.copy_(host.narrow(0, 0, _rows));   // one host-to-device copy
        return rows.narrow(1, 0, _longest);
    }

    public void Dispose()
    {
        _inputsTensor.Dispose();
        _labelsTensor.Dispose();
        _lossMaskTensor.Dispose();
        _attentionTensor.Dispose();
        _positionsTensor.Dispose();
        foreach (var mirror in _staging.Values) mirror.Dispose();
    }
}
