/**
 * @file Gradients of a matrix that several matmuls multiply by, summed as one product.
 *
 * A recurrent layer multiplies every step's state by the same W_hhᵀ, so backward owes it Σ_t h_tᵀ·g_t: T
 * products with only B rows each, and T − 1 full-size additions, each allocating a [H, G·H] tensor (profiled:
 * the additions alone took an eighth of an LSTM layer's step). Stacking the pairs gives the same sum as one
 * product, [h_1; …; h_T]ᵀ·[g_1; …; g_T], with the same multiply-adds and a single output. The pairs wait here,
 * per operand, until its turn in the topological walk (every consumer is done by then), as slice gradients do.
 * Holding them costs memory, so once the waiting pairs reach a few times the operand's size they are multiplied
 * and added to a running partial sum; and only pairs no larger than the operand wait at all (see defers).
 */
import { matmulGradB } from '../gradients/matmul-grads.js';
import { cat } from '../ops/join.js';
import type { Tensor } from '../tensor.js';
import type { GradNode } from './node.js';

/** Elements (left operands plus gradients) that may wait per operand: this many times its size … */
const PENDING_FACTOR = 4;
/** … or this many (4 MB of float32), whichever is more. */
const PENDING_ELEMENTS = 1 << 20;

interface Pending {
  lefts: Tensor[];
  grads: Tensor[];
  elements: number;
  partial: Tensor | null;
}

/** Right operands (B of A·B) of more than one recorded matmul among the tensors about to be walked. */
export function sharedRightOperands(order: readonly Tensor[]): Set<Tensor> {
  const uses = new Map<Tensor, number>();
  const shared = new Set<Tensor>();
  for (const t of order) {
    const node = t.gradFn;
    if (node?.name !== 'matmul') continue;
    const b = node.inputs[1];
    const n = (uses.get(b) ?? 0) + 1;
    uses.set(b, n);
    if (n === 2) shared.add(b);
  }
  return shared;
}

export class PendingProducts {
  private readonly byOperand = new Map<Tensor, Pending>();

  /** `minPending`: elements allowed to wait per operand whatever its size (tests lower it to force flushes). */
  constructor(
    private readonly shared: Set<Tensor>,
    private readonly minPending = PENDING_ELEMENTS,
  ) {}

  /**
   * Whether this matmul node's ∂B should wait: B is shared, both operands are plain matrices, and the pair is
   * no larger than B, so that stacking it costs less than the addition it saves (a weight shared by two
   * products of long sequences is better off with two products and one addition).
   */
  defers(node: GradNode): boolean {
    const [a, b] = node.inputs;
    if (!this.shared.has(b) || !b.requiresGrad || a.ndim !== 2 || b.ndim !== 2 || a.dtype !== b.dtype) {
      return false;
    }
    const pairSize = a.size + a.shape[0] * b.shape[1]; // A [M, K] and G [M, N]
    return pairSize <= b.size;
  }

  /** Records the pair (A, G) of one product A·B whose gradient G has arrived. */
  add(b: Tensor, a: Tensor, g: Tensor): void {
    let pending = this.byOperand.get(b);
    if (!pending) {
      pending = { lefts: [], grads: [], elements: 0, partial: null };
      this.byOperand.set(b, pending);
    }
    pending.lefts.push(a);
    pending.grads.push(g);
    pending.elements += a.size + g.size;
    if (pending.elements >= Math.max(PENDING_FACTOR * b.size, this.minPending)) flush(b, pending);
  }

  /** B's gradient from its pairs (null if none), forgetting them. */
  take(b: Tensor): Tensor | null {
    const pending = this.byOperand.get(b);
    if (!pending) return null;
    this.byOperand.delete(b);
    flush(b, pending);
    return pending.partial;
  }

  inputs(): Tensor[] {
    return [...this.byOperand.keys()];
  }
}

/** Adds Σ A_iᵀ·G_i of the waiting pairs to the partial sum: Aᵀ·G with the A_i and G_i stacked by rows. */
function flush(b: Tensor, pending: Pending): void {
  const { lefts, grads } = pending;
  if (lefts.length === 0) return;
  const a = lefts.length === 1 ? lefts[0] : cat(lefts, 0); // [Σ M_i, K]
  const g = grads.length === 1 ? grads[0] : cat(grads, 0); // [Σ M_i, N]
  const product = matmulGradB(g, a, b); // [K, N]
  pending.partial = pending.partial ? pending.partial.add(product) : product;
  pending.lefts = [];
  pending.grads = [];
  pending.elements = 0;
}
