/**
 * @file PyTorch's fused pointwise updates (`add` with `alpha`, `addcmul`, `addcdiv`), composed from tensor ops so
 * that float32 results match PyTorch's CPU kernels bit for bit. PyTorch's x86 builds compile `a + alpha·b` and
 * `self + (value·t1)·t2` to fused multiply-adds, which round once. For float32 tensors we get the same single
 * rounding by doing the multiply-add in float64, where the product of two float32 values is exact, and rounding
 * the sum once to float32 (a float64 sum rounded again to float32 can differ from a true fused rounding only when
 * it lands on a float32 tie: about once in 2^29 operations). Other dtypes use plain tensor ops.
 */
import type { Tensor } from '@tensorloom/tensor';

const bothFloat32 = (a: Tensor, b: Tensor): boolean => a.dtype === 'float32' && b.dtype === 'float32';

/**
 * a + alpha·b with one rounding, as PyTorch's `a.add(b, alpha=alpha)`. `alpha` is rounded to the tensor's
 * dtype first, as PyTorch does with Python scalars.
 * @example addScaled(param, grad, -lr) // an SGD step
 */
export function addScaled(a: Tensor, b: Tensor, alpha: number): Tensor {
  if (alpha === 1) return a.add(b);
  if (!bothFloat32(a, b)) return a.add(b.mul(alpha));
  return a
    .double()
    .add(b.double().mul(Math.fround(alpha)))
    .float();
}

/**
 * self + (value·t1)·t2 with the value·t1 product rounded and the rest fused, as PyTorch's
 * `self.addcmul(t1, t2, value=value)`.
 * @example addcmul(expAvgSq.mul(beta2), grad, grad, 1 - beta2)
 */
export function addcmul(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const scaled = value === 1 ? t1 : t1.mul(value);
  if (!bothFloat32(self, scaled) || t2.dtype !== 'float32') return self.add(scaled.mul(t2));
  return self.double().add(scaled.double().mul(t2.double())).float();
}

/**
 * self + (value·t1)/t2, rounding after each op, as PyTorch's `self.addcdiv(t1, t2, value=value)` (a division
 * cannot be fused).
 * @example addcdiv(param, expAvg, denom, -stepSize)
 */
export function addcdiv(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const scaled = value === 1 ? t1 : t1.mul(value);
  return self.add(scaled.div(t2));
}
