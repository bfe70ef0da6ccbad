/**
 * @file The matmul's two input gradients, each computed in the memory layout of the input it belongs to.
 *
 * A layer keeps W [out, in] and multiplies by the view Wᵀ (strides [1, in]). ∂(Wᵀ) = Aᵀ·G comes out of the
 * kernel row-major, and its transpose back to W's shape is then a strided view that has to be copied before it
 * can be W.grad. Computing the same product as (Gᵀ·A)ᵀ instead gives the kernel the same work, and the
 * transpose back is W's own row-major layout: no copy. Only plain matrices take this path; batched operands
 * keep row-major gradients, which their batch reductions walk fastest.
 */
import { matmul } from '../ops/matmul.js';
import type { Tensor } from '../tensor.js';

/** Whether a matrix is stored column-major, like the transpose of a contiguous one. */
function columnMajor(t: Tensor): boolean {
  return t.ndim === 2 && t.strides[0] === 1 && t.strides[1] > 1;
}

/** x·y, laid out column-major when `like` is (a view of the transposed product), else row-major. */
function productLike(like: Tensor, x: Tensor, y: Tensor): Tensor {
  return columnMajor(like) ? matmul(y.mT, x.mT).mT : matmul(x, y);
}

/** ∂A of C = A·B from G = ∂C: G·Bᵀ, in A's layout. */
export const matmulGradA = (g: Tensor, a: Tensor, b: Tensor): Tensor => productLike(a, g, b.mT);

/** ∂B of C = A·B from G = ∂C: Aᵀ·G, in B's layout. */
export const matmulGradB = (g: Tensor, a: Tensor, b: Tensor): Tensor => productLike(b, a.mT, g);
