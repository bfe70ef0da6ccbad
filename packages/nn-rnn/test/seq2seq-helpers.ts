/**
 * @file Shared by the seq2seq tests: toy copy/reverse data, a tiny dot-product attention that exercises the
 * decoder's attention hook (attention proper belongs to nn-attention), and a full-batch training loop.
 */
import { sequenceCrossEntropy } from '@tensorloom/losses';
import { Linear, Module } from '@tensorloom/nn';
import { type DecoderAttention, decoderTargets, padBatch, type Seq2Seq } from '@tensorloom/nn-rnn';
import { Adam, clipGradNorm } from '@tensorloom/optim';
import { Generator, type Tensor } from '@tensorloom/tensor';

export const PAD = 0;
export const SOS = 1;
export const EOS = 2;
export const special = { sosIndex: SOS, eosIndex: EOS, padIndex: PAD };

/** n random sequences over the symbols [3, vocabSize), lengths in [minLength, maxLength]. */
export function randomSequences(
  n: number,
  {
    vocabSize,
    minLength,
    maxLength,
    seed,
  }: { vocabSize: number; minLength: number; maxLength: number; seed: number },
): number[][] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: g.integer(minLength, maxLength + 1) }, () => g.integer(3, vocabSize)),
  );
}

/** A padded training batch: src [B, S] with lengths, and the decoder's input and target [B, T]. */
export function makeBatch(sources: number[][], targets: number[][]) {
  const { tokens: src, lengths } = padBatch(sources, PAD);
  const { input: tgtIn, target: tgtOut } = decoderTargets(targets, special);
  return { src, lengths, tgtIn, tgtOut, targets };
}

/**
 * Dot-product attention (Luong's "dot"): score_s = k_s · q, weights = softmax over the real positions,
 * context = Σ_s weights_s k_s. With `queryProjection`, q is first mapped to the keys' width by a Linear, which
 * makes it a Module whose parameter the decoder must register and train ("general" attention).
 */
export class DotAttention extends Module implements DecoderAttention {
  readonly query: Linear | null;

  constructor(
    readonly contextSize: number,
    options: { querySize?: number; dtype?: 'float32' | 'float64' } = {},
  ) {
    super();
    const { querySize, dtype } = options;
    this.query =
      querySize === undefined
        ? null
        : this.module('query', new Linear(querySize, contextSize, { bias: false, dtype }));
  }

  forward(query: Tensor, keys: Tensor, mask: Tensor | null): [Tensor, Tensor] {
    const q = this.query ? this.query.forward(query) : query; // [B, C]
    const scores = keys.matmul(q.unsqueeze(-1)).squeeze(-1); // [B, S]
    const masked = mask ? scores.maskedFill(mask.logicalNot(), Number.NEGATIVE_INFINITY) : scores; // [B, S]
    const weights = masked.softmax(-1); // [B, S]
    const context = weights.unsqueeze(1).matmul(keys).squeeze(1); // [B, C]
    return [context, weights];
  }
}

/** Fraction of sequences whose greedy decoding equals the target exactly. */
export function exactMatch(model: Seq2Seq, batch: ReturnType<typeof makeBatch>, maxLength = 12): number {
  const { tokens } = model.greedyDecode(batch.src, batch.lengths, {
    sosIndex: SOS,
    eosIndex: EOS,
    maxLength,
  });
  return tokens.filter((ids, b) => ids.join() === batch.targets[b].join()).length / tokens.length;
}

/**
 * Full-batch Adam on the mean per-token cross-entropy, with greedy exact match checked every `every` steps;
 * stops at 100%. Returns the steps taken and the final exact match.
 */
export function train(
  model: Seq2Seq,
  batch: ReturnType<typeof makeBatch>,
  { lr = 0.02, maxSteps = 300, every = 10 } = {},
): { steps: number; accuracy: number; loss: number } {
  const optimizer = new Adam(model.parameters(), { lr });
  let accuracy = 0;
  let loss = Number.NaN;
  let step = 0;
  while (step < maxSteps) {
    step++;
    const { logits } = model.forward(batch.src, batch.lengths, batch.tgtIn); // [B, T, V]
    const objective = sequenceCrossEntropy(logits, batch.tgtOut, { padIndex: PAD }).loss;
    optimizer.zeroGrad();
    objective.backward();
    clipGradNorm(model.parameters(), 1);
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
