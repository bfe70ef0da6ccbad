/**
 * @file Which gradient arrays backward may give back to the storage pool once it is done with them.
 *
 * An intermediate tensor's gradient lives from the rules that produce it to the rule that consumes it; after
 * that nothing reads it, yet each one is a full-size array (half the bytes a Transformer step allocates). The
 * engine counts who holds each array it allocated itself during this backward: the pending sums per tensor, a
 * view of it delivered as another input's gradient (add's rule hands g to both operands), the gradient being
 * consumed. When the count falls to zero the array goes back to the pool. Arrays the walk hands to anything
 * else escape for good: a leaf's or retained .grad, slice and product gradients waiting for their operand, and
 * anything allocated before backward began (a caller's seed gradient, the forward pass's tensors).
 */
import type { TypedArray } from '../dtype.js';
import { releaseStorage } from '../storage.js';
import type { Tensor } from '../tensor.js';

export class GradientStorage {
  private readonly holders = new Map<TypedArray, number>();

  /** `allocated`: the arrays allocated during this backward (see trackAllocations). */
  constructor(private readonly allocated: WeakSet<TypedArray>) {}

  /** One more holder of t's storage. */
  hold(t: Tensor): void {
    const array = t.data;
    if (this.allocated.has(array)) this.holders.set(array, (this.holders.get(array) ?? 0) + 1);
  }

  /** One holder fewer; the storage goes back to the pool with the last. */
  drop(t: Tensor): void {
    const array = t.data;
    const count = this.holders.get(array);
    if (count === undefined) return;
    if (count > 1) {
      this.holders.set(array, count - 1);
      return;
    }
    this.holders.delete(array);
    this.allocated.delete(array);
    releaseStorage(t.dtype, array);
  }

  /** t's storage is kept by something the walk does not track: it is never given back. */
  escape(t: Tensor): void {
    this.allocated.delete(t.data);
    this.holders.delete(t.data);
  }
}
