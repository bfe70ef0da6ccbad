/**
 * @file What AdditiveAttention and LuongAttention share: the shape of nn-rnn's decoder hook (a query attends
 * over the encoder outputs, with a mask that is true at real tokens), input checks, the context, and a
 * one-entry cache of the keys' projection so a decoder that attends once per step projects them once.
 */
import { DTypeError, isGradEnabled, ShapeError, type Tensor, type TypedArray } from '@tensorloom/tensor';
import { checkLastDim, checkRank, checkShape, formatShape } from './checks.js';
import { maskedSoftmax } from './masks.js';

/**
 * Checks the hook's inputs: query [B, Q] (one step) or [B, T, Q] (T steps at once), keys [B, S, K] and mask
 * [B, S] bool (true = real token) or null. Returns the query as [B, T, Q].
 */
export function checkMemoryInputs(
  op: string,
  sizes: { querySize: number; keySize: number },
  query: Tensor,
  keys: Tensor,
  mask: Tensor | null,
): Tensor {
  checkRank(op, 'query', query, [2, 3], '[B, Q] or [B, T, Q]');
  checkLastDim(op, 'query', query, sizes.querySize, 'querySize');
  checkRank(op, 'keys', keys, 3, '[B, S, K]');
  checkLastDim(op, 'keys', keys, sizes.keySize, 'keySize');
  if (keys.shape[0] !== query.shape[0]) {
    throw new ShapeError(
      `${op}: query and keys must have the same batch size (query ${formatShape(query.shape)}, keys ${formatShape(keys.shape)})`,
    );
  }
  if (mask) {
    if (mask.dtype !== 'bool')
      throw new DTypeError(`${op}: mask must be bool, true at real tokens (got ${mask.dtype})`);
    checkShape(op, 'mask', mask, [keys.shape[0], keys.shape[1]]);
  }
  return query.ndim === 2 ? query.unsqueeze(1) : query; // [B, T, Q]
}

/**
 * scores [B, T, S] → [context [B, T, K] or [B, K], weights [B, T, S] or [B, S]]: the softmax over the real
 * source positions (mask true = real; a sequence without any gets zeros) and context = Σ_j α_j keys_j.
 */
export function attendOver(
  scores: Tensor,
  keys: Tensor,
  mask: Tensor | null,
  oneStep: boolean,
): [Tensor, Tensor] {
  const padding = mask ? mask.logicalNot().unsqueeze(1) : null; // [B, 1, S], true = masked
  const weights = maskedSoftmax(scores, padding); // [B, T, S]
  const context = weights.matmul(keys); // [B, T, K]
  return oneStep ? [context.squeeze(1), weights.squeeze(1)] : [context, weights];
}

interface CacheEntry {
  keys: Tensor;
  projected: Tensor;
  gradEnabled: boolean;
  /** Copies of the keys' values and of each parameter's. */
  snapshot: TypedArray[];
}

/**
 * Remembers the projection of the last keys tensor seen. It is reused only while the same keys tensor comes
 * back with the same values (it may have been written in place), in the same grad mode, with its graph not yet
 * released by backward(), and with the parameters unchanged (an optimizer step or loadStateDict writes them in
 * place). The values are compared against copies: a pass over the keys and weights, A times cheaper than the
 * projection itself. So it never serves a stale value, and a recurrent decoder that attends once per step
 * projects once per sequence.
 */
export class ProjectionCache {
  private entry: CacheEntry | null = null;

  constructor(private readonly parameters: () => Tensor[]) {}

  get(keys: Tensor, project: (keys: Tensor) => Tensor): Tensor {
    const entry = this.entry;
    if (entry && this.valid(entry, keys)) return entry.projected;
    const projected = project(keys);
    this.entry = {
      keys,
      projected,
      gradEnabled: isGradEnabled(),
      snapshot: [keys, ...this.parameters()].map((t) => t.dataSync().slice()),
    };
    return projected;
  }

  clear(): void {
    this.entry = null;
  }

  private valid(entry: CacheEntry, keys: Tensor): boolean {
    if (entry.keys !== keys || entry.gradEnabled !== isGradEnabled()) return false;
    const node = entry.projected.gradFn;
    if (node && node.backward === null) return false; // released by backward()
    return [keys, ...this.parameters()].every((t, i) => sameValues(t.dataSync(), entry.snapshot[i]));
  }
}

function sameValues(a: TypedArray, b: TypedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
