/**
 * @file A tiny Transformer translator for the overfit and incremental-decoding tests: token embeddings scaled
 * by √D plus sinusoidal positions (written here: the positional package is separate), nn-attention's
 * Transformer, and a Linear over the vocabulary; greedy decoding through the decoder's key/value cache or by
 * full recomputation.
 */
import { sequenceCrossEntropy } from '@tensorloom/losses';
import { Embedding, Linear, Module } from '@tensorloom/nn';
import { generateSquareSubsequentMask, paddingMask, Transformer } from '@tensorloom/nn-attention';
import { decoderTargets, padBatch } from '@tensorloom/nn-rnn';
import { Adam } from '@tensorloom/optim';
import { Generator, noGrad, type Tensor, tensor } from '@tensorloom/tensor';

export const PAD = 0;
export const SOS = 1;
export const EOS = 2;

export interface TranslatorConfig {
  vocabSize: number;
  dModel: number;
  nhead: number;
  numLayers: number;
  dimFeedforward: number;
  /** The longest sequence the positional table covers. */
  maxLength: number;
  dropout?: number;
  normFirst?: boolean;
}

/** sin/cos positional encodings (Vaswani et al., 2017): pe[p, 2i] = sin(p / 10000^(2i/D)), pe[p, 2i+1] = cos(…). */
export function sinusoidal(length: number, width: number): Tensor {
  const values = new Float32Array(length * width);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < width; i += 2) {
      const angle = p / 10000 ** (i / width);
      values[p * width + i] = Math.sin(angle);
      if (i + 1 < width) values[p * width + i + 1] = Math.cos(angle);
    }
  }
  return tensor(values, { shape: [length, width] }); // [P, D]
}

export class Translator extends Module {
  readonly config: TranslatorConfig;
  readonly srcEmbed: Embedding;
  readonly tgtEmbed: Embedding;
  readonly transformer: Transformer;
  readonly head: Linear;
  private readonly positions: Tensor;

  constructor(config: TranslatorConfig) {
    super();
    this.config = config;
    const { vocabSize, dModel } = config;
    this.srcEmbed = this.module('src_embed', new Embedding(vocabSize, dModel, { paddingIdx: PAD }));
    this.tgtEmbed = this.module('tgt_embed', new Embedding(vocabSize, dModel, { paddingIdx: PAD }));
    this.transformer = this.module(
      'transformer',
      new Transformer({
        dModel,
        nhead: config.nhead,
        numEncoderLayers: config.numLayers,
        numDecoderLayers: config.numLayers,
        dimFeedforward: config.dimFeedforward,
        dropout: config.dropout ?? 0,
        normFirst: config.normFirst ?? false,
        batchFirst: true,
      }),
    );
    this.head = this.module('head', new Linear(dModel, vocabSize));
    this.positions = this.buffer('pe', sinusoidal(config.maxLength, dModel), { persistent: false });
  }

  /** ids [B, T] at positions offset … offset + T − 1 → [B, T, D]. */
  embed(embedding: Embedding, ids: Tensor, offset = 0): Tensor {
    const scale = Math.sqrt(this.config.dModel);
    return embedding
      .forward(ids)
      .mul(scale)
      .add(this.positions.narrow(0, offset, ids.shape[1])); // [B, T, D]
  }

  /** Teacher forcing: src [B, S], its padding mask [B, S] and tgtIn [B, T] → logits [B, T, V]. */
  forward(src: Tensor, srcPadding: Tensor, tgtIn: Tensor): Tensor {
    const memory = this.encode(src, srcPadding); // [B, S, D]
    const y = this.transformer.decode(this.embed(this.tgtEmbed, tgtIn), memory, {
      tgtMask: generateSquareSubsequentMask(tgtIn.shape[1]),
      memoryKeyPaddingMask: srcPadding,
    }); // [B, T, D]
    return this.head.forward(y); // [B, T, V]
  }

  encode(src: Tensor, srcPadding: Tensor): Tensor {
    return this.transformer.encode(this.embed(this.srcEmbed, src), { srcKeyPaddingMask: srcPadding }); // [B, S, D]
  }

  /**
   * Greedy decoding for `steps` steps (no early stop, so the two modes can be compared step by step): with the
   * key/value cache each step feeds only the newest token; without it, each step reruns the decoder over the
   * whole prefix with the causal mask. Returns the ids [B, steps] and each step's logits.
   */
  greedy(
    src: Tensor,
    srcPadding: Tensor,
    steps: number,
    useCache = true,
  ): { ids: number[][]; logits: Tensor[] } {
    return noGrad(() => {
      const batch = src.shape[0];
      const memory = this.encode(src, srcPadding); // [B, S, D]
      const cache = useCache ? this.transformer.createCache() : null;
      const ids: number[][] = Array.from({ length: batch }, () => [SOS]);
      const logits: Tensor[] = [];
      for (let t = 0; t < steps; t++) {
        const prefix = tensor(
          ids.map((row) => (cache ? row.slice(-1) : row)),
          { dtype: 'int32' },
        ); // [B, 1] or [B, t+1]
        const x = this.embed(this.tgtEmbed, prefix, cache ? t : 0); // [B, ·, D]
        const options = cache
          ? { cache, memoryKeyPaddingMask: srcPadding }
          : { tgtMask: generateSquareSubsequentMask(t + 1), memoryKeyPaddingMask: srcPadding };
        const y = this.transformer.decode(x, memory, options); // [B, ·, D]
        const last = this.head.forward(y.select(1, y.shape[1] - 1)); // [B, V]
        logits.push(last);
        const next = last.argmax(-1).dataSync(); // [B]
        ids.forEach((row, b) => {
          row.push(next[b]);
        });
      }
      return { ids: ids.map((row) => row.slice(1)), logits };
    });
  }
}

/** n random sequences over the symbols [3, vocabSize), lengths in [minLength, maxLength]. */
export function randomSequences(
  n: number,
  options: { vocabSize: number; minLength: number; maxLength: number; seed: number },
): number[][] {
  const g = new Generator(options.seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: g.integer(options.minLength, options.maxLength + 1) }, () =>
      g.integer(3, options.vocabSize),
    ),
  );
}

export function makeBatch(sources: number[][], targets: number[][]) {
  const { tokens: src, lengths } = padBatch(sources, PAD);
  const { input: tgtIn, target: tgtOut } = decoderTargets(targets, {
    sosIndex: SOS,
    eosIndex: EOS,
    padIndex: PAD,
  });
  return { src, srcPadding: paddingMask(lengths, src.shape[1]), tgtIn, tgtOut, targets };
}

/** Greedy decoding cut at the first ⟨eos⟩, compared with the targets: the fraction decoded exactly. */
export function exactMatch(model: Translator, batch: ReturnType<typeof makeBatch>): number {
  const steps = Math.max(...batch.targets.map((t) => t.length)) + 1;
  const { ids } = model.greedy(batch.src, batch.srcPadding, steps);
  const decoded = ids.map((row) => (row.includes(EOS) ? row.slice(0, row.indexOf(EOS)) : row));
  return decoded.filter((row, b) => row.join() === batch.targets[b].join()).length / decoded.length;
}

/** Full-batch Adam on the per-token cross-entropy with a short warmup; checks exact match every `every` steps. */
export function train(
  model: Translator,
  batch: ReturnType<typeof makeBatch>,
  { lr = 3e-3, warmup = 20, maxSteps = 400, every = 10 } = {},
): { steps: number; accuracy: number; loss: number } {
  const optimizer = new Adam(model.parameters(), { lr, betas: [0.9, 0.98] });
  let accuracy = 0;
  let loss = Number.NaN;
  let step = 0;
  while (step < maxSteps) {
    step++;
    for (const group of optimizer.paramGroups) group.lr = lr * Math.min(1, step / warmup);
    const logits = model.forward(batch.src, batch.srcPadding, batch.tgtIn); // [B, T, V]
    const objective = sequenceCrossEntropy(logits, batch.tgtOut, { padIndex: PAD }).loss;
    optimizer.zeroGrad();
    objective.backward();
    optimizer.step();
    loss = objective.item();
    if (step % every === 0) {
      model.eval();
      accuracy = exactMatch(model, batch);
      model.train();
      if (accuracy === 1) break;
    }
  }
  return { steps: step, accuracy, loss };
}
