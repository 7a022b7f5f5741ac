using static Rft.Native.TorchNative;
using static TorchSharp.torch;

namespace Rft.Native;

/// <summary>
/// Tensor operations on native handles (<see cref="TorchNative"/>), each result recorded so that it dies with the
/// <see cref="Scope"/> it was made in: <c>using var token = frame.Open();</c> per decoded token releases everything the
/// token made. The record and the cached scalars are reused, so a steady loop allocates nothing on the managed heap.
/// Each method is the TorchSharp method of the same name, calling the same native function with the same arguments, so
/// results are bit-for-bit those of the managed code. Not thread-safe: one frame per loop.
/// </summary>
internal sealed unsafe class NativeFrame : IDisposable
{
    private IntPtr[] _handles = new IntPtr[512];
    private int _count;
    private readonly List<(double Value, bool Integral, IntPtr Handle)> _scalars = [];
    private readonly IntPtr[] _boolScalars = new IntPtr[2];

    /// <summary>Opens a scope: the handles made until it is disposed are released then, newest first.</summary>
    public Scope Open() => new(this, _count);

    /// <summary>Handles alive in this frame: a mark for <see cref="ReleaseTo"/>, <see cref="Keep"/> and <see cref="Take"/>.</summary>
    public int Count => _count;

    /// <summary>Releases the handles made since <paramref name="mark"/> (a <see cref="Count"/>), newest first.</summary>
    public void ReleaseTo(int mark) => Release(mark);

    /// <summary>Releases the handles made since <paramref name="mark"/> except <paramref name="kept"/>, which stays recorded; returns it.</summary>
    public IntPtr Keep(int mark, IntPtr kept)
    {
        Take(mark, kept);
        return Track(kept);
    }

    /// <summary>Releases the handles made since <paramref name="mark"/> except <paramref name="first"/> and <paramref name="second"/>, which stay recorded, in that order.</summary>
    public void Keep(int mark, IntPtr first, IntPtr second)
    {
        if (first == second || ReleaseExcept(mark, first, second) != 2) throw new InvalidOperationException("The two handles to keep were not both made since the mark.");
        Track(first);
        Track(second);
    }

    /// <summary>
    /// Releases the handles made since <paramref name="mark"/> except <paramref name="taken"/>, which the frame forgets: the
    /// caller owns it (to hand to a managed <c>Tensor</c>, say).
    /// </summary>
    public IntPtr Take(int mark, IntPtr taken)
    {
        if (ReleaseExcept(mark, taken, IntPtr.Zero) != 1) throw new InvalidOperationException("The handle to keep was not made since the mark.");
        return taken;
    }

    // Releases the handles made since mark, newest first, except first and second (zero: none; the frame never records
    // zero); returns how many of the two it met.
    private int ReleaseExcept(int mark, IntPtr first, IntPtr second)
    {
        int found = 0;
        while (_count > mark)
        {
            var handle = _handles[--_count];
            if (handle == first || handle == second) found++;
            else THSTensor_dispose(handle);
        }

        return found;
    }

    /// <summary>Releases the handles made since a <see cref="Open"/>.</summary>
    public readonly struct Scope(NativeFrame frame, int mark) : IDisposable
    {
        public void Dispose() => frame.Release(mark);
    }

    // ---- views ----

    public IntPtr View(IntPtr t, long d0, long d1)
    {
        long* shape = stackalloc long[] { d0, d1 };
        return Track(THSTensor_view(t, shape, 2));
    }

    public IntPtr View(IntPtr t, long d0, long d1, long d2)
    {
        long* shape = stackalloc long[] { d0, d1, d2 };
        return Track(THSTensor_view(t, shape, 3));
    }

    public IntPtr View(IntPtr t, long d0, long d1, long d2, long d3)
    {
        long* shape = stackalloc long[] { d0, d1, d2, d3 };
        return Track(THSTensor_view(t, shape, 4));
    }

    public IntPtr View(IntPtr t, long d0, long d1, long d2, long d3, long d4)
    {
        long* shape = stackalloc long[] { d0, d1, d2, d3, d4 };
        return Track(THSTensor_view(t, shape, 5));
    }

    public IntPtr Reshape(IntPtr t, long d0, long d1)
    {
        long* shape = stackalloc long[] { d0, d1 };
        return Track(THSTensor_reshape(t, shape, 2));
    }

    public IntPtr Reshape(IntPtr t, long d0, long d1, long d2)
    {
        long* shape = stackalloc long[] { d0, d1, d2 };
        return Track(THSTensor_reshape(t, shape, 3));
    }

    public IntPtr Reshape(IntPtr t, long d0, long d1, long d2, long d3)
    {
        long* shape = stackalloc long[] { d0, d1, d2, d3 };
        return Track(THSTensor_reshape(t, shape, 4));
    }

    public IntPtr Permute(IntPtr t, long d0, long d1, long d2, long d3, long d4)
    {
        long* dims = stackalloc long[] { d0, d1, d2, d3, d4 };
        return Track(THSTensor_permute(t, dims, 5));
    }

    public IntPtr Unsqueeze(IntPtr t, long dim) => Track(THSTensor_unsqueeze(t, dim));

    public IntPtr Expand(IntPtr t, long d0, long d1, long d2)
    {
        long* shape = stackalloc long[] { d0, d1, d2 };
        return Track(THSTensor_expand(t, shape, 3, 0));
    }

    /// <summary>
    /// A managed tensor for <paramref name="handle"/>, made since <paramref name="mark"/>: the frame releases what else it made
    /// since then and forgets the handle, which the tensor (in the current dispose scope) owns from now on.
    /// </summary>
    public TorchSharp.torch.Tensor ToManaged(int mark, IntPtr handle) => TorchSharp.torch.Tensor.UnsafeCreateTensor(Take(mark, handle));

    /// <summary><c>t.narrow(dim, start, length)</c> as a managed tensor (in the current dispose scope), not recorded here.</summary>
    public TorchSharp.torch.Tensor ManagedNarrow(IntPtr t, long dim, long start, long length)
    {
        var handle = THSTensor_narrow(t, dim, start, length);
        if (handle == IntPtr.Zero) CheckForErrors();
        return TorchSharp.torch.Tensor.UnsafeCreateTensor(handle);
    }

    public IntPtr Repeat(IntPtr t, long r0, long r1, long r2, long r3)
    {
        long* repeats = stackalloc long[] { r0, r1, r2, r3 };
        return Track(THSTensor_repeat(t, repeats, 4));
    }

    /// <summary><c>torch.arange(start, end, int64, device)</c>.</summary>
    public IntPtr Arange(long start, long end, (TorchSharp.DeviceType Type, int Index) device) =>
        Track(THSTensor_arange(Scalar(start), Scalar(end), Scalar(1L), (sbyte)ScalarType.Int64, (int)device.Type, device.Index, 0));

    public IntPtr Flatten(IntPtr t)
    {
        long* shape = stackalloc long[] { -1 };
        return Track(THSTensor_reshape(t, shape, 1));
    }

    public IntPtr Narrow(IntPtr t, long dim, long start, long length) => Track(THSTensor_narrow(t, dim, start, length));

    public IntPtr Select(IntPtr t, long dim, long index) => Track(THSTensor_select(t, dim, index));

    public IntPtr Transpose(IntPtr t, long dim0, long dim1) => Track(THSTensor_transpose(t, dim0, dim1));

    // ---- copies and conversions ----

    public void Copy(IntPtr target, IntPtr source)
    {
        THSTensor_copy_(target, source, 0);
        CheckForErrors();
    }

    public IntPtr Clone(IntPtr t) => Track(THSTensor_clone(t));

    /// <summary><c>torch.cat([a, b], dim)</c>.</summary>
    public IntPtr Cat(long dim, IntPtr a, IntPtr b)
    {
        IntPtr* tensors = stackalloc IntPtr[] { a, b };
        return Track(THSTensor_cat(tensors, 2, dim));
    }

    /// <summary><c>torch.cat([a, b, c], dim)</c>.</summary>
    public IntPtr Cat(long dim, IntPtr a, IntPtr b, IntPtr c)
    {
        IntPtr* tensors = stackalloc IntPtr[] { a, b, c };
        return Track(THSTensor_cat(tensors, 3, dim));
    }

    public IntPtr ToType(IntPtr t, ScalarType type) => Track(THSTensor_to_type(t, (sbyte)type, 0, 0));

    public IntPtr ToDevice(IntPtr t, TorchSharp.DeviceType type, int index) => Track(THSTensor_to_device(t, (int)type, index, 0, 0));

    /// <summary>The size of dimension <paramref name="dim"/>.</summary>
    public long Size(IntPtr t, long dim)
    {
        long size = THSTensor_size(t, dim);
        CheckForErrors();
        return size;
    }

    public IntPtr ToCpu(IntPtr t) => Track(THSTensor_to_device(t, (int)TorchSharp.DeviceType.CPU, -1, 0, 0));

    public void Fill(IntPtr t, bool value)
    {
        THSTensor_fill_(t, BoolScalar(value));
        CheckForErrors();
    }

    public void Fill(IntPtr t, double value)
    {
        THSTensor_fill_(t, Scalar(value));
        CheckForErrors();
    }

    /// <summary><c>torch.where(condition, x, y)</c>.</summary>
    public IntPtr Where(IntPtr condition, IntPtr x, IntPtr y) => Track(THSTensor_where(condition, x, y));

    public void MaskedFill(IntPtr t, IntPtr mask, double value)
    {
        THSTensor_masked_fill_(t, mask, Scalar(value));
        CheckForErrors();
    }

    public void MaskedFill(IntPtr t, IntPtr mask, long value)
    {
        THSTensor_masked_fill_(t, mask, Scalar(value));
        CheckForErrors();
    }

    /// <summary>The gradient of <paramref name="t"/>, or zero when it has none.</summary>
    public IntPtr Grad(IntPtr t)
    {
        var grad = THSTensor_grad(t);
        if (grad == IntPtr.Zero)
        {
            CheckForErrors();
            return IntPtr.Zero;
        }

        return Track(grad);
    }

    public IntPtr IndexSelect(IntPtr t, long dim, IntPtr index) => Track(THSTensor_index_select(t, dim, index));

    public IntPtr Gather(IntPtr t, long dim, IntPtr index) => Track(THSTensor_gather(t, dim, index));

    public IntPtr Roll(IntPtr t, long shift, long dim)
    {
        long* shifts = stackalloc long[] { shift };
        long* dims = stackalloc long[] { dim };
        return Track(THSTensor_roll(t, shifts, 1, dims, 1));
    }

    // ---- arithmetic ----

    /// <summary><c>a + b</c> (TorchSharp's <c>operator +</c>: alpha 1).</summary>
    public IntPtr Add(IntPtr a, IntPtr b) => Track(THSTensor_add(a, b, Scalar(1L)));

    /// <summary><c>a.add(b, alpha)</c>: <c>a + alpha * b</c>.</summary>
    public IntPtr Add(IntPtr a, IntPtr b, double alpha) => Track(THSTensor_add(a, b, Scalar(alpha)));

    /// <summary><c>a.add_(b, alpha)</c>.</summary>
    public void AddInPlace(IntPtr a, IntPtr b, double alpha)
    {
        THSTensor_add_(a, b, Scalar(alpha));
        CheckForErrors();
    }

    /// <summary><c>a.add(value)</c> (alpha 1; named apart from <see cref="Add(IntPtr, IntPtr)"/>: an <c>int</c> converts to <c>IntPtr</c> too).</summary>
    public IntPtr AddScalar(IntPtr a, long value) => Track(THSTensor_add_scalar(a, Scalar(value), Scalar(1L)));

    /// <summary><c>a.add_(value)</c> (alpha 1).</summary>
    public IntPtr AddInPlace(IntPtr a, double value)
    {
        THSTensor_add_scalar_(a, Scalar(value), Scalar(1L));
        CheckForErrors();
        return a;
    }

    public IntPtr Sub(IntPtr a, IntPtr b) => Track(THSTensor_sub(a, b));

    /// <summary><c>a - value</c> (named apart from <see cref="Sub"/>: an <c>int</c> converts to <c>IntPtr</c> too).</summary>
    public IntPtr SubScalar(IntPtr a, long value) => Track(THSTensor_sub_scalar(a, Scalar(value)));

    public IntPtr Mul(IntPtr a, IntPtr b) => Track(THSTensor_mul(a, b));

    public IntPtr MulInPlace(IntPtr a, double value)
    {
        THSTensor_mul_scalar_(a, Scalar(value));
        CheckForErrors();
        return a;
    }

    public IntPtr Div(IntPtr a, double value) => Track(THSTensor_div_scalar(a, Scalar(value), IntPtr.Zero));

    /// <summary><c>a / value</c> for a scalar made by the caller.</summary>
    public IntPtr Div(IntPtr a, in NativeScalar value) => Track(THSTensor_div_scalar(a, value.Handle, IntPtr.Zero));

    /// <summary><c>t.addcmul_(a, b, value)</c>: <c>t += value * a * b</c>.</summary>
    public IntPtr AddCMulInPlace(IntPtr t, IntPtr a, IntPtr b, double value)
    {
        THSTensor_addcmul_(t, a, b, Scalar(value));
        CheckForErrors();
        return t;
    }

    public IntPtr Sqrt(IntPtr t) => Track(THSTensor_sqrt(t));

    /// <summary><c>square()</c>, which TorchSharp computes as <c>pow(2)</c>.</summary>
    public IntPtr Square(IntPtr t) => Track(THSTensor_pow_scalar(t, Scalar(2L)));

    public IntPtr RsqrtInPlace(IntPtr t)
    {
        THSTensor_rsqrt_(t);
        CheckForErrors();
        return t;
    }

    public IntPtr Exp(IntPtr t) => Track(THSTensor_exp(t));

    public IntPtr Silu(IntPtr t) => Track(THSTensor_silu(t));

    public IntPtr MatMul(IntPtr a, IntPtr b) => Track(THSTensor_matmul(a, b));

    /// <summary><c>nn.functional.scaled_dot_product_attention(q, k, v, mask)</c> (no dropout, not causal: the mask says it).</summary>
    public IntPtr ScaledDotProductAttention(IntPtr q, IntPtr k, IntPtr v, IntPtr mask) => Track(THSNN_scaled_dot_product_attention(q, k, v, mask, 0.0, 0));

    /// <summary><c>nn.functional.linear(input, weight, bias)</c>; <paramref name="bias"/> zero for none.</summary>
    public IntPtr Linear(IntPtr input, IntPtr weight, IntPtr bias) => Track(THSNN_functional_linear(input, weight, bias));

    // ---- reductions, comparisons, sampling ----

    /// <summary><c>mean([-1], keepdim: true)</c>.</summary>
    public IntPtr MeanOfLastKeepDim(IntPtr t)
    {
        long* dims = stackalloc long[] { -1 };
        return Track(THSTensor_mean_along_dimensions(t, dims, 1, 1, 0, 0));
    }

    public IntPtr CumSum(IntPtr t, long dim) => Track(THSTensor_cumsum(t, dim, 0, 0));

    public IntPtr ArgMax(IntPtr t, long dim, bool keepdim) => Track(THSTensor_argmax_along_dimension(t, dim, keepdim ? (byte)1 : (byte)0));

    public (IntPtr Values, IntPtr Indices) Sort(IntPtr t, long dim, bool descending, bool stable)
    {
        var values = THSTensor_sort(t, dim, descending ? (byte)1 : (byte)0, stable ? (byte)1 : (byte)0, out var indices);
        if (values == IntPtr.Zero || indices == IntPtr.Zero) CheckForErrors();
        Track(values);
        return (values, Track(indices));
    }

    public IntPtr Eq(IntPtr t, long value) => Track(THSTensor_eq_scalar(t, Scalar(value)));

    public IntPtr Ne(IntPtr t, long value) => Track(THSTensor_ne_scalar(t, Scalar(value)));

    public IntPtr Ge(IntPtr t, double value) => Track(THSTensor_ge_scalar(t, Scalar(value)));

    public IntPtr LogicalNot(IntPtr t) => Track(THSTensor_logical_not(t));

    public IntPtr LogicalAnd(IntPtr a, IntPtr b) => Track(THSTensor_logical_and(a, b));

    public IntPtr Le(IntPtr a, IntPtr b) => Track(THSTensor_le(a, b));

    public IntPtr Gt(IntPtr a, IntPtr b) => Track(THSTensor_gt(a, b));

    /// <summary><c>a == b</c> elementwise (named apart from the scalar <see cref="Eq"/>: an <c>int</c> converts to <c>IntPtr</c> too).</summary>
    public IntPtr EqTensor(IntPtr a, IntPtr b) => Track(THSTensor_eq(a, b));

    public void LogicalAndInPlace(IntPtr t, IntPtr other)
    {
        THSTensor_logical_and_(t, other);
        CheckForErrors();
    }

    public void LogicalOr(IntPtr t, IntPtr other)
    {
        THSTensor_logical_or_(t, other);
        CheckForErrors();
    }

    public IntPtr Softmax(IntPtr t, long dim, ScalarType type) => Track(THSSpecial_softmax(t, dim, (sbyte)type));

    public IntPtr LogSoftmax(IntPtr t, long dim, ScalarType type) => Track(THSSpecial_log_softmax(t, dim, (sbyte)type));

    /// <summary>Fills <paramref name="t"/> in place with uniform draws in [<paramref name="low"/>, <paramref name="high"/>) from <paramref name="generator"/>.</summary>
    public IntPtr UniformInPlace(IntPtr t, double low, double high, Generator generator)
    {
        THSTensor_uniform_(t, low, high, generator.Handle);
        CheckForErrors();
        return t;
    }

    /// <summary>Per row, the index of the first element of <paramref name="sorted"/> above (<paramref name="right"/>) or at least each value.</summary>
    public IntPtr SearchSorted(IntPtr sorted, IntPtr values, bool right) =>
        Track(THSTensor_searchsorted_t(sorted, values, 0, right ? (byte)1 : (byte)0, IntPtr.Zero));

    /// <summary>Whether every element of a bool tensor is true: the one value that crosses to the host.</summary>
    public bool All(IntPtr t, bool onCpu)
    {
        using var scope = Open();
        var all = Track(THSTensor_all(t));
        if (!onCpu) all = ToCpu(all);
        var data = THSTensor_data(all);
        if (data == IntPtr.Zero) CheckForErrors();
        return *(byte*)data != 0;
    }

    // ---- bookkeeping ----

    private IntPtr Track(IntPtr handle)
    {
        if (handle == IntPtr.Zero)
        {
            CheckForErrors();
            throw new InvalidOperationException("A native tensor operation returned no tensor and reported no error.");
        }

        if (_count == _handles.Length) Array.Resize(ref _handles, 2 * _handles.Length);
        _handles[_count++] = handle;
        return handle;
    }

    private void Release(int mark)
    {
        while (_count > mark) THSTensor_dispose(_handles[--_count]);
    }

    private static void CheckForErrors() => TorchSharp.torch.CheckForErrors();

    // Scalars are made once per distinct value and kept: a loop uses a handful (1, 2, eps, -inf, pad, ...).
    private IntPtr Scalar(double value) => CachedScalar(value, integral: false);

    private IntPtr Scalar(long value) => CachedScalar(value, integral: true);

    private IntPtr BoolScalar(bool value)
    {
        ref IntPtr cached = ref _boolScalars[value ? 1 : 0];
        if (cached == IntPtr.Zero)
        {
            cached = THSTorch_bool_to_scalar(value ? (byte)1 : (byte)0);
            if (cached == IntPtr.Zero) CheckForErrors();
        }

        return cached;
    }

    private IntPtr CachedScalar(double value, bool integral)
    {
        foreach (var (cached, isIntegral, handle) in _scalars)
        {
            if (isIntegral == integral && cached.Equals(value)) return handle;
        }

        var made = integral ? THSTorch_int64_to_scalar((long)value) : THSTorch_float64_to_scalar(value);
        if (made == IntPtr.Zero) CheckForErrors();
        _scalars.Add((value, integral, made));
        return made;
    }

    public void Dispose()
    {
        Release(0);
        foreach (var (_, _, handle) in _scalars) THSTorch_dispose_scalar(handle);
        _scalars.Clear();
        foreach (var handle in _boolScalars)
        {
            if (handle != IntPtr.Zero) THSTorch_dispose_scalar(handle);
        }

        Array.Clear(_boolScalars);
    }
}
