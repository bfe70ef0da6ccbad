/**
 * @file Mini-batches for sequence-to-sequence training. Examples of similar length share a batch (less
 * padding), batches come in a seeded random order, and each becomes int32 tensors padded with `<pad>`:
 * the source [B, S] with its lengths, the decoder input `<sos> y1 … yn` and the target `y1 … yn <eos>`,
 * both [B, T], and padding masks (true at padding, PyTorch's key_padding_mask convention).
 */
import { Generator, type Tensor, tensor } from '@tensorloom/tensor';

/** Token ids of one pair, without `<sos>` or `<eos>`. */
export interface EncodedPair {
  src: readonly number[];
  tgt: readonly number[];
}

export interface SpecialIds {
  padId: number;
  sosId: number;
  eosId: number;
}

/** The ids of Vocab: `<pad>` = 0, `<sos>` = 1, `<eos>` = 2. */
const defaultIds: SpecialIds = { padId: 0, sosId: 1, eosId: 2 };

export interface Batch {
  src: Tensor; // int32 [B, S]
  srcLengths: Tensor; // int32 [B]
  decoderInput: Tensor; // int32 [B, T]: <sos> y1 … yn <pad> …
  target: Tensor; // int32 [B, T]: y1 … yn <eos> <pad> …
  tgtLengths: Tensor; // int32 [B]: n + 1 (the <eos> counts)
  srcPaddingMask: Tensor; // bool [B, S], true at padding
  tgtPaddingMask: Tensor; // bool [B, T], true at padding
  /** Which examples, in batch order (longest source first). */
  indices: number[];
  /** Target tokens to predict, `<eos>` included: what a per-token loss averages over. */
  numTargetTokens: number;
}

export interface BatchOptions extends Partial<SpecialIds> {
  /** Examples per batch (the last batch of a bucket run may be smaller). */
  batchSize: number;
  /** Shuffle examples and batch order (default true). Pass seed + epoch for a new order each epoch. */
  shuffle?: boolean;
  seed?: number;
  /** Group examples of similar (source, target) length into batches (default true). */
  bucketByLength?: boolean;
}

/**
 * Which examples go in which batch. With bucketing, examples are shuffled, then stably sorted by length, so
 * equal-length examples mix differently for each seed; then cut into batches, whose order is shuffled.
 */
export function planBatches(examples: readonly EncodedPair[], options: BatchOptions): number[][] {
  const { batchSize, shuffle = true, seed = 0, bucketByLength = true } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`planBatches: batchSize must be a positive integer (got ${batchSize})`);
  }
  const random = new Generator(seed);
  const order = examples.map((_, i) => i);
  if (shuffle) shuffleInPlace(order, random);
  if (bucketByLength) {
    order.sort(
      (i, j) =>
        examples[i].src.length - examples[j].src.length || examples[i].tgt.length - examples[j].tgt.length,
    );
  }
  const plan: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize)
    plan.push(order.slice(start, start + batchSize));
  if (shuffle) shuffleInPlace(plan, random);
  return plan;
}

/** The batches of `planBatches`, made into tensors one at a time. */
export function* batches(examples: readonly EncodedPair[], options: BatchOptions): IterableIterator<Batch> {
  for (const indices of planBatches(examples, options)) yield collate(examples, indices, options);
}

/** Pads the chosen examples into one batch, longest source first. */
export function collate(
  examples: readonly EncodedPair[],
  indices: readonly number[],
  ids: Partial<SpecialIds> = {},
): Batch {
  const { padId, sosId, eosId } = { ...defaultIds, ...ids };
  if (indices.length === 0) throw new RangeError('collate: a batch needs at least one example');
  indices.forEach((i) => {
    if (!examples[i]) throw new RangeError(`collate: no example ${i} (there are ${examples.length})`);
    if (examples[i].src.length === 0) throw new RangeError(`collate: example ${i} has an empty source`);
  });
  const sorted = [...indices].sort((i, j) => examples[j].src.length - examples[i].src.length);
  const rows = sorted.map((i) => examples[i]);
  const batch = rows.length;
  const srcSteps = Math.max(...rows.map((r) => r.src.length));
  const tgtSteps = Math.max(...rows.map((r) => r.tgt.length)) + 1;

  const src = new Int32Array(batch * srcSteps).fill(padId);
  const decoderInput = new Int32Array(batch * tgtSteps).fill(padId);
  const target = new Int32Array(batch * tgtSteps).fill(padId);
  const srcMask = new Uint8Array(batch * srcSteps).fill(1);
  const tgtMask = new Uint8Array(batch * tgtSteps).fill(1);
  rows.forEach(({ src: x, tgt: y }, b) => {
    src.set(x, b * srcSteps);
    srcMask.fill(0, b * srcSteps, b * srcSteps + x.length);
    decoderInput[b * tgtSteps] = sosId;
    decoderInput.set(y, b * tgtSteps + 1);
    target.set(y, b * tgtSteps);
    target[b * tgtSteps + y.length] = eosId;
    tgtMask.fill(0, b * tgtSteps, b * tgtSteps + y.length + 1);
  });
  const lengths = (values: number[]) => tensor(Int32Array.from(values), { dtype: 'int32' });
  return {
    src: tensor(src, { shape: [batch, srcSteps], dtype: 'int32' }),
    srcLengths: lengths(rows.map((r) => r.src.length)),
    decoderInput: tensor(decoderInput, { shape: [batch, tgtSteps], dtype: 'int32' }),
    target: tensor(target, { shape: [batch, tgtSteps], dtype: 'int32' }),
    tgtLengths: lengths(rows.map((r) => r.tgt.length + 1)),
    srcPaddingMask: tensor(srcMask, { shape: [batch, srcSteps], dtype: 'bool' }),
    tgtPaddingMask: tensor(tgtMask, { shape: [batch, tgtSteps], dtype: 'bool' }),
    indices: sorted,
    numTargetTokens: rows.reduce((sum, r) => sum + r.tgt.length + 1, 0),
  };
}

/** Fisher–Yates with a seeded generator. */
export function shuffleInPlace<T>(items: T[], random: Generator): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.integer(0, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
