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
 *
 * A Linear applied once per decoder step multiplies by a fresh view W.t() each time: those products are pooled
 * under W, and its gradient comes out as one product Gᵀ·A in W's layout, where each step used to cost a
 * [N, K] product of B rows and a full-size addition (profiled: a quarter of an attention translator's step).
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

/**
 * Where a matmul's ∂B is pooled: under B itself, or, when B is a transposed view W.t() that nothing else watches
 * (no retained grad), under W with `transposed` set. nn's `linear` makes a fresh W.t() on every call, so a
 * decoder that applies one Linear per time step shares W, not the views.
 */
function poolOf(b: Tensor): { operand: Tensor; transposed: boolean } {
  const node = b.gradFn;
  if (node?.name === 'permute' && b.ndim === 2 && !b.retainsGrad && node.inputs.length === 1) {
    return { operand: node.inputs[0], transposed: true };
  }
  return { operand: b, transposed: false };
}

/** Operands whose products' ∂B are pooled: those (B, or W behind W.t()) that more than one recorded matmul uses. */
export interface SharedOperands {
  readonly plain: Set<Tensor>;
  readonly transposed: Set<Tensor>;
}

/** The right operands (B of A·B, or W of A·W.t()) of more than one matmul among the tensors about to be walked. */
export function sharedRightOperands(order: readonly Tensor[]): SharedOperands {
  const uses = { plain: new Map<Tensor, number>(), transposed: new Map<Tensor, number>() };
  const shared: SharedOperands = { plain: new Set(), transposed: new Set() };
  for (const t of order) {
    const node = t.gradFn;
    if (node?.name !== 'matmul') continue;
    const { operand, transposed } = poolOf(node.inputs[1]);
    const side = transposed ? 'transposed' : 'plain';
    const n = (uses[side].get(operand) ?? 0) + 1;
    uses[side].set(operand, n);
    if (n === 2) shared[side].add(operand);
  }
  return shared;
}

export class PendingProducts {
  private readonly plain = new Map<Tensor, Pending>();
  private readonly transposed = new Map<Tensor, Pending>();

  /** `minPending`: elements allowed to wait per operand whatever its size (tests lower it to force flushes). */
  constructor(
    private readonly shared: SharedOperands,
    private readonly minPending = PENDING_ELEMENTS,
  ) {}

  /**
   * Whether this matmul node's ∂B should wait: B (or the W behind B = W.t()) is shared, both operands are plain
   * matrices, and the pair is no larger than B, so that stacking it costs less than the addition it saves (a
   * weight shared by two products of long sequences is better off with two products and one addition).
   */
  defers(node: GradNode): boolean {
    const [a, b] = node.inputs;
    const { operand, transposed } = poolOf(b);
    if (!this.shared[transposed ? 'transposed' : 'plain'].has(operand)) return false;
    if (!b.requiresGrad || a.ndim !== 2 || b.ndim !== 2 || a.dtype !== b.dtype) return false;
    const pairSize = a.size + a.shape[0] * b.shape[1]; // A [M, K] and G [M, N]
    return pairSize <= b.size;
  }

  /** Records the pair (A, G) of one product A·B (B as the node has it) whose gradient G has arrived. */
  add(b: Tensor, a: Tensor, g: Tensor): void {
    const { operand, transposed } = poolOf(b);
    const pools = transposed ? this.transposed : this.plain;
    let pending = pools.get(operand);
    if (!pending) {
      pending = { lefts: [], grads: [], elements: 0, partial: null };
      pools.set(operand, pending);
    }
    pending.lefts.push(a);
    pending.grads.push(g);
    pending.elements += a.size + g.size;
    if (pending.elements >= Math.max(PENDING_FACTOR * operand.size, this.minPending)) {
      flush(operand, pending, transposed);
    }
  }

  /** The operand's gradient from its pairs (null if none), forgetting them. */
  take(operand: Tensor): Tensor | null {
    let total: Tensor | null = null;
    for (const transposed of [false, true]) {
      const pools = transposed ? this.transposed : this.plain;
      const pending = pools.get(operand);
      if (!pending) continue;
      pools.delete(operand);
      flush(operand, pending, transposed);
      const partial = pending.partial as Tensor;
      total = total ? total.add(partial) : partial;
    }
    return total;
  }

  inputs(): Tensor[] {
    return [...new Set([...this.plain.keys(), ...this.transposed.keys()])];
  }
}

/**
 * Adds the waiting pairs' share to the partial sum, A and G each stacked by rows: Aᵀ·G for B itself, and for
 * W behind B = W.t() the transpose of that, Gᵀ·A, computed in W's layout.
 */
function flush(operand: Tensor, pending: Pending, transposed: boolean): void {
  const { lefts, grads } = pending;
  if (lefts.length === 0) return;
  const a = lefts.length === 1 ? lefts[0] : cat(lefts, 0); // [Σ M_i, K]
  const g = grads.length === 1 ? grads[0] : cat(grads, 0); // [Σ M_i, N]
  const product = transposed ? matmulGradB(a, g, operand) : matmulGradB(g, a, operand); // W [N, K] or B [K, N]
  pending.partial = pending.partial ? pending.partial.add(product) : product;
  pending.lefts = [];
  pending.grads = [];
  pending.elements = 0;
}
