/** @file The time loop of one layer in one direction. */
import { type Tensor, where } from '@tensorloom/tensor';
import type { Recurrence } from '../recurrence.js';

export interface ScanOptions {
  /** The time dim of gx: 0 for [T, B, G·H], 1 for [B, T, G·H] (batchFirst). */
  timeDim: 0 | 1;
  /** Runs from the last step to the first (the backward direction of a bidirectional layer). */
  reverse: boolean;
  /** masks[t] [B, 1]: true at real tokens; null (all of it, or at step t) where nothing is padded. */
  masks: readonly (Tensor | null)[] | null;
}

/**
 * Runs `rec` over the precomputed input projections gx from state0 (k × [B, H]); returns h_t for every step
 * in time order and the final states. On a padded step the state is carried over unchanged, so the final
 * state is the one after each sequence's last real token. In reverse, steps t ≥ length keep state0, and the
 * first update happens at t = length − 1: each sequence is read backwards from its own last real token, the
 * same as reversing it within its length (what PyTorch's packed sequences do), with no gather.
 */
export function scan(
  rec: Recurrence,
  gx: Tensor,
  state0: readonly Tensor[],
  whhT: Tensor,
  bhh: Tensor | null,
  { timeDim, reverse, masks }: ScanOptions,
): { outputs: Tensor[]; final: Tensor[] } {
  const steps = gx.shape[timeDim];
  const outputs = new Array<Tensor>(steps);
  let state: readonly Tensor[] = state0; // k × [B, H]
  // Each step is a view of gx; autograd gathers the T step gradients into one tensor (linear in T).
  for (let k = 0; k < steps; k++) {
    const t = reverse ? steps - 1 - k : k;
    const gxT = gx.select(timeDim, t); // [B, G·H]
    const next = rec.step(gxT, state, whhT, bhh); // k × [B, H]
    const real = masks?.[t]; // [B, 1]
    const previous = state;
    state = real ? next.map((s, i) => where(real, s, previous[i])) : next; // k × [B, H]
    outputs[t] = state[0]; // [B, H]
  }
  return { outputs, final: [...state] };
}
