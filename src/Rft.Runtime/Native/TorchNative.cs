using System.Runtime.InteropServices;

namespace Rft.Native;

/// <summary>
/// The C functions of TorchSharp's native bridge (libLibTorchSharp) that the decoding loop calls directly, with the
/// signatures of TorchSharp 0.107 (the version Directory.Packages.props pins). TorchSharp wraps every tensor it returns in
/// a managed <c>Tensor</c> (and every number in a <c>Scalar</c>), so each operation allocates on the managed heap; called
/// here, an operation returns a bare native handle that <see cref="NativeFrame"/> disposes, and a decoded token allocates
/// nothing managed. A handle of zero means the call failed: the bridge keeps the error for
/// <c>torch.CheckForErrors</c>, which every caller here runs.
/// </summary>
/// <remarks>Booleans cross as bytes (0 or 1), the bridge's <c>bool</c>; shapes and dimensions as pointers to <c>long</c>.</remarks>
internal static unsafe partial class TorchNative
{
    private const string Library = "LibTorchSharp";

    [LibraryImport(Library)] internal static partial void THSTensor_dispose(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_data(IntPtr tensor);
    [LibraryImport(Library)] internal static partial long THSTensor_size(IntPtr tensor, long dim);

    // Views.
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_view(IntPtr tensor, long* shape, int length);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_reshape(IntPtr tensor, long* shape, int length);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_narrow(IntPtr tensor, long dim, long start, long length);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_select(IntPtr tensor, long dim, long index);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_transpose(IntPtr tensor, long dim1, long dim2);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_unsqueeze(IntPtr tensor, long dim);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_expand(IntPtr tensor, long* shape, int length, byte isImplicit);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_permute(IntPtr tensor, long* dims, int length);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_repeat(IntPtr tensor, long* repeats, int length);

    // Copies and conversions.
    [LibraryImport(Library)] internal static partial void THSTensor_copy_(IntPtr tensor, IntPtr source, byte nonBlocking);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_clone(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_to_type(IntPtr tensor, sbyte scalarType, byte copy, byte nonBlocking);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_to_device(IntPtr tensor, int deviceType, int deviceIndex, byte copy, byte nonBlocking);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_cat(IntPtr* tensors, int length, long dim);
    [LibraryImport(Library)] internal static partial void THSTensor_fill_(IntPtr tensor, IntPtr value);
    [LibraryImport(Library)] internal static partial void THSTensor_masked_fill_(IntPtr tensor, IntPtr mask, IntPtr value);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_index_select(IntPtr tensor, long dim, IntPtr index);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_gather(IntPtr tensor, long dim, IntPtr index);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_where(IntPtr condition, IntPtr x, IntPtr y);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_roll(IntPtr tensor, long* shifts, int shiftsLength, long* dims, int dimsLength);

    [LibraryImport(Library)] internal static partial IntPtr THSTensor_arange(IntPtr start, IntPtr end, IntPtr step, sbyte scalarType, int deviceType, int deviceIndex, byte requiresGrad);

    // Arithmetic.
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_add(IntPtr tensor, IntPtr other, IntPtr alpha);
    [LibraryImport(Library)] internal static partial void THSTensor_add_(IntPtr tensor, IntPtr other, IntPtr alpha);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_add_scalar(IntPtr tensor, IntPtr value, IntPtr alpha);
    [LibraryImport(Library)] internal static partial void THSTensor_add_scalar_(IntPtr tensor, IntPtr value, IntPtr alpha);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_sub(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_sub_scalar(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_mul(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial void THSTensor_mul_scalar_(IntPtr tensor, IntPtr value);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_div_scalar(IntPtr tensor, IntPtr value, IntPtr roundingMode);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_pow_scalar(IntPtr tensor, IntPtr exponent);
    [LibraryImport(Library)] internal static partial void THSTensor_rsqrt_(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_exp(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_silu(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_matmul(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial IntPtr THSNN_functional_linear(IntPtr input, IntPtr weight, IntPtr bias);
    [LibraryImport(Library)] internal static partial IntPtr THSNN_scaled_dot_product_attention(IntPtr query, IntPtr key, IntPtr value, IntPtr mask, double dropout, byte causal);

    // Reductions, comparisons and sampling.
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_mean_along_dimensions(IntPtr tensor, long* dims, int length, byte keepdim, byte hasType, sbyte scalarType);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_cumsum(IntPtr tensor, long dim, byte hasType, sbyte scalarType);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_all(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_argmax_along_dimension(IntPtr tensor, long dim, byte keepdim);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_sort(IntPtr tensor, long dim, byte descending, byte stable, out IntPtr indices);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_eq_scalar(IntPtr tensor, IntPtr value);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_ne_scalar(IntPtr tensor, IntPtr value);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_ge_scalar(IntPtr tensor, IntPtr value);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_logical_not(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_logical_and(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial void THSTensor_logical_and_(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_le(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_gt(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_eq(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial void THSTensor_logical_or_(IntPtr tensor, IntPtr other);
    [LibraryImport(Library)] internal static partial IntPtr THSSpecial_softmax(IntPtr tensor, long dim, sbyte scalarType);
    [LibraryImport(Library)] internal static partial IntPtr THSSpecial_log_softmax(IntPtr tensor, long dim, sbyte scalarType);
    [LibraryImport(Library)] internal static partial void THSTensor_uniform_(IntPtr tensor, double low, double high, IntPtr generator);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_searchsorted_t(IntPtr sorted, IntPtr values, byte outInt32, byte right, IntPtr sorter);

    // Autograd and the optimizer's update.
    [LibraryImport(Library)] internal static partial byte THSAutograd_isGradEnabled();
    [LibraryImport(Library)] internal static partial void THSAutograd_setGrad(byte enabled);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_grad(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr THSTensor_sqrt(IntPtr tensor);
    [LibraryImport(Library)] internal static partial void THSTensor_addcmul_(IntPtr tensor, IntPtr tensor1, IntPtr tensor2, IntPtr value);
    [LibraryImport(Library)] internal static partial void THSTensor_addcdiv_(IntPtr tensor, IntPtr tensor1, IntPtr tensor2, IntPtr value);
    [LibraryImport(Library)] internal static partial double THSTensor_clip_grad_norm_(IntPtr* tensors, int length, double maxNorm, double normType);

    // Scalars.
    [LibraryImport(Library)] internal static partial IntPtr THSTorch_float64_to_scalar(double value);
    [LibraryImport(Library)] internal static partial IntPtr THSTorch_int64_to_scalar(long value);
    [LibraryImport(Library)] internal static partial IntPtr THSTorch_bool_to_scalar(byte value);
    [LibraryImport(Library)] internal static partial void THSTorch_dispose_scalar(IntPtr scalar);
}
