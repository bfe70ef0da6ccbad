/** @file When the fused loops of kernels.ts may run, and the typed-array views they work on. */
import type { Tensor } from '@tensorloom/tensor';

/**
 * Whether a fused loop (kernels.ts) may update `param` in place: the parameter, its gradient and every state
 * buffer present are float32, and the parameter and the buffers are contiguous (a strided gradient is copied
 * once, see gradView). Otherwise the composed path runs, which handles any layout and float64.
 */
export function canFuse(param: Tensor, grad: Tensor, ...buffers: (Tensor | null | undefined)[]): boolean {
  if (param.dtype !== 'float32' || grad.dtype !== 'float32' || !param.isContiguous()) return false;
  return buffers.every((b) => b == null || (b.dtype === 'float32' && b.isContiguous()));
}

/** A contiguous float32 tensor's elements (see canFuse) as a view of its storage: writes go to the tensor. */
export function view(t: Tensor): Float32Array {
  const data = t.data as Float32Array;
  return t.offset === 0 && data.length === t.size ? data : data.subarray(t.offset, t.offset + t.size);
}

/** A float32 gradient's elements, copied once if it is strided. */
export const gradView = (grad: Tensor): Float32Array => view(grad.isContiguous() ? grad : grad.contiguous());
