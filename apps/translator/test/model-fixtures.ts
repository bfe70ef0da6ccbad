/** @file Small configs of every model kind and toy batches, shared by the model and decoding tests. */
import { type Tensor, tensor } from '@tensorloom/tensor';
import { type Batch, collate, type EncodedPair } from '../src/data/batches.js';
import type { ModelConfig } from '../src/models/config.js';

/** Ids 0–3 are the specials (<pad> <sos> <eos> <unk>); 4… are words. */
export const vocabSize = 14;

/** One small config per kind and variant, each a few thousand parameters. */
export const smallConfigs: Record<string, ModelConfig> = {
  lstm: { kind: 'lstm', srcVocabSize: vocabSize, tgtVocabSize: vocabSize, embeddingDim: 8, hiddenSize: 12 },
  'lstm-bidirectional': {
    kind: 'lstm',
    srcVocabSize: vocabSize,
    tgtVocabSize: vocabSize + 1,
    embeddingDim: 8,
    hiddenSize: 12,
    numLayers: 2,
    bidirectional: true,
    reverseSource: false,
  },
  bahdanau: {
    kind: 'attention',
    srcVocabSize: vocabSize,
    tgtVocabSize: vocabSize,
    embeddingDim: 8,
    hiddenSize: 12,
  },
  'luong-dot': {
    kind: 'attention',
    srcVocabSize: vocabSize,
    tgtVocabSize: vocabSize,
    embeddingDim: 8,
    hiddenSize: 12,
    attention: 'luong-dot',
  },
  'luong-general': {
    kind: 'attention',
    srcVocabSize: vocabSize,
    tgtVocabSize: vocabSize,
    embeddingDim: 8,
    hiddenSize: 12,
    numLayers: 2,
    attention: 'luong-general',
  },
  'luong-concat': {
    kind: 'attention',
    srcVocabSize: vocabSize,
    tgtVocabSize: vocabSize,
    embeddingDim: 8,
    hiddenSize: 12,
    attention: 'luong-concat',
    attentionSize: 6,
  },
  transformer: {
    kind: 'transformer',
    srcVocabSize: vocabSize,
    tgtVocabSize: vocabSize + 2,
    dModel: 16,
    nhead: 2,
    dimFeedforward: 32,
  },
  'transformer-learned-prenorm': {
    kind: 'transformer',
    srcVocabSize: vocabSize,
    tgtVocabSize: vocabSize,
    dModel: 16,
    nhead: 4,
    numEncoderLayers: 1,
    numDecoderLayers: 3,
    dimFeedforward: 24,
    positions: 'learned',
    maxLength: 20,
    normFirst: true,
    activation: 'gelu',
    shareEmbeddings: true,
    tieOutput: false,
  },
};

/** Pairs of different lengths (so batches have source and target padding). */
export const toyPairs: EncodedPair[] = [
  { src: [4, 5, 6, 7, 8], tgt: [9, 10, 11] },
  { src: [5, 9], tgt: [4, 4, 12, 13, 6] },
  { src: [13, 12, 11], tgt: [7] },
];

/** All pairs in one batch (rows sorted longest source first; batch.indices says which). */
export function toyBatch(pairs: readonly EncodedPair[] = toyPairs): Batch {
  return collate(
    pairs,
    pairs.map((_, i) => i),
  );
}

/** Row `row` of x [B, ...], as nested arrays. */
export function rowOf(x: Tensor, row: number): unknown {
  return x.select(0, row).toArray();
}

/** [B] int32 column t of an int32 [B, T] tensor. */
export function column(x: Tensor, t: number): Tensor {
  const [batch, steps] = x.shape;
  const values = x.dataSync();
  return tensor(
    Int32Array.from({ length: batch }, (_, b) => values[b * steps + t]),
    { dtype: 'int32' },
  );
}

/** A deterministic pseudo-random stream in [0, 1) (tests do not touch the global one). */
export function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
