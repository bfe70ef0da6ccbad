/**
 * @file Token ids in and out of the encoder and decoder: validation, the RNN's input features (embedding rows
 * or one-hot vectors), source reversal within lengths, padding masks, and padded batches from id lists.
 */
import type { Embedding } from '@tensorloom/nn';
import {
  arange,
  DTypeError,
  eq,
  type FloatDType,
  IndexError,
  ShapeError,
  type Tensor,
  TensorloomError,
  tensor,
} from '@tensorloom/tensor';
import { formatShape } from '../checks.js';

/** Throws unless `tokens` is an int32 tensor of rank `ndim` whose ids all lie in [0, vocabSize). */
export function checkTokens(op: string, name: string, tokens: Tensor, ndim: number, vocabSize: number): void {
  if (tokens.dtype !== 'int32')
    throw new DTypeError(`${op}: ${name} must be int32 token ids (got ${tokens.dtype})`);
  if (tokens.ndim !== ndim || tokens.shape.some((d) => d === 0)) {
    const expected = ndim === 1 ? '[B]' : '[B, T]';
    throw new ShapeError(
      `${op}: ${name} must be a non-empty ${expected} tensor (got ${formatShape(tokens.shape)})`,
    );
  }
  const ids = tokens.dataSync();
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= vocabSize) {
      throw new IndexError(`${op}: ${name} holds id ${ids[i]}, out of range for vocabSize ${vocabSize}`);
    }
  }
}

/** Throws unless `value` is an integer in [0, vocabSize) (a special token's id). */
export function checkTokenIndex(op: string, name: string, value: number, vocabSize: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= vocabSize) {
    throw new IndexError(`${op}: ${name} must be an integer in [0, ${vocabSize}) (got ${value})`);
  }
}

export function checkProbability(op: string, name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new TensorloomError(`${op}: ${name} must be in [0, 1] (got ${p})`);
}

/**
 * The RNN's input for ids [...]: the embedding rows [..., E], or, without an embedding, one-hot vectors
 * [..., V] in `dtype`, with padIndex mapped to the zero vector as an embedding's padding row is.
 */
export function tokenFeatures(
  tokens: Tensor,
  embedding: Embedding | null,
  vocabSize: number,
  padIndex: number,
  dtype: FloatDType,
): Tensor {
  if (embedding) return embedding.forward(tokens); // [..., E]
  const ids = tokens.unsqueeze(-1); // [..., 1]
  return eq(ids, arange(vocabSize)).logicalAnd(ids.ne(padIndex)).to(dtype); // [..., V]
}

/**
 * The gather index [B, S] that reverses each row within its length and leaves the padding in place:
 * index[b, t] = L_b − 1 − t for t < L_b, else t. It is its own inverse.
 * @example reversalIndex([3, 2], 4).tolist() // [[2, 1, 0, 3], [1, 0, 2, 3]]
 */
export function reversalIndex(lengths: readonly number[], steps: number): Tensor {
  const index: number[] = [];
  for (const length of lengths) for (let t = 0; t < steps; t++) index.push(t < length ? length - 1 - t : t);
  return tensor(index, { shape: [lengths.length, steps], dtype: 'int32' });
}

/** [B, S] bool, true at real tokens (t < lengths[b]). */
export function lengthMask(lengths: readonly number[], steps: number): Tensor {
  const flat: boolean[] = [];
  for (const length of lengths) for (let t = 0; t < steps; t++) flat.push(t < length);
  return tensor(flat, { shape: [lengths.length, steps], dtype: 'bool' });
}

/**
 * Pads id lists into one batch: `tokens` [B, S] int32 (S = the longest list, padIndex after each list) and the
 * `lengths`, ready for the encoder.
 * @example padBatch([[5, 6, 7], [8]], 0) // tokens [[5, 6, 7], [8, 0, 0]], lengths [3, 1]
 */
export function padBatch(
  sequences: readonly (readonly number[])[],
  padIndex: number,
): { tokens: Tensor; lengths: number[] } {
  if (sequences.length === 0 || sequences.some((s) => s.length === 0)) {
    throw new ShapeError('padBatch: needs at least one sequence, and every sequence at least one token');
  }
  const lengths = sequences.map((s) => s.length);
  const steps = Math.max(...lengths);
  const flat = sequences.flatMap((s) => [...s, ...new Array<number>(steps - s.length).fill(padIndex)]);
  return { tokens: tensor(flat, { shape: [sequences.length, steps], dtype: 'int32' }), lengths };
}

/**
 * The decoder's teacher-forcing input and its targets from target id lists: input = [sos, y₁ … y_n] and
 * target = [y₁ … y_n, eos], both [B, T] int32 with T = longest n + 1 and padIndex after each sequence.
 * @example
 * decoderTargets([[5, 6], [7]], { sosIndex: 1, eosIndex: 2, padIndex: 0 })
 * // input [[1, 5, 6], [1, 7, 0]], target [[5, 6, 2], [7, 2, 0]]
 */
export function decoderTargets(
  sequences: readonly (readonly number[])[],
  special: { sosIndex: number; eosIndex: number; padIndex: number },
): { input: Tensor; target: Tensor } {
  const { sosIndex, eosIndex, padIndex } = special;
  const input = padBatch(
    sequences.map((s) => [sosIndex, ...s]),
    padIndex,
  ).tokens; // [B, T]
  const target = padBatch(
    sequences.map((s) => [...s, eosIndex]),
    padIndex,
  ).tokens; // [B, T]
  return { input, target };
}
