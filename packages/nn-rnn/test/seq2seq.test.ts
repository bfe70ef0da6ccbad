/**
 * @file Seq2SeqEncoder, Seq2SeqDecoder and Seq2Seq: teacher forcing against the step-by-step loop, scheduled
 * sampling, source reversal within lengths, bridges, one-hot inputs, the attention hook, greedy decoding,
 * gradient flow, the loss with sequenceCrossEntropy, state-dict keys and errors.
 */
import { sequenceCrossEntropy } from '@tensorloom/losses';
import {
  decoderTargets,
  GRU,
  LSTM,
  padBatch,
  Seq2Seq,
  type Seq2SeqConfig,
  Seq2SeqDecoder,
  Seq2SeqEncoder,
} from '@tensorloom/nn-rnn';
import { Adam, clipGradNorm } from '@tensorloom/optim';
import {
  DTypeError,
  Generator,
  IndexError,
  manualSeed,
  noGrad,
  ShapeError,
  stack,
  type Tensor,
  TensorloomError,
  tensor,
} from '@tensorloom/tensor';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DotAttention,
  EOS,
  makeBatch,
  PAD,
  randomSequences,
  SOS,
  special,
  train,
} from './seq2seq-helpers.js';

beforeEach(() => {
  manualSeed(7);
});

const sources = [[3, 4, 5, 6], [7, 8], [5, 5, 9], [4]];
const targets = [[6, 5], [8, 7, 3], [9], [4, 4, 4, 4]];
const batch = () => makeBatch(sources, targets);
const small = (
  extra: Partial<Seq2SeqConfig['decoder']> = {},
  encoder: Partial<Seq2SeqConfig['encoder']> = {},
) =>
  new Seq2Seq({
    encoder: { vocabSize: 10, embeddingDim: 4, hiddenSize: 6, ...encoder },
    decoder: { vocabSize: 10, embeddingDim: 4, hiddenSize: 6, ...extra },
  });

/** Runs decoder.step over tgtIn's tokens one at a time: the reference for teacher forcing. */
function stepLoop(model: Seq2Seq, src: Tensor, lengths: number[], tgtIn: Tensor) {
  const { state, memory } = model.encode(src, lengths);
  const logits: Tensor[] = [];
  const weights: Tensor[] = [];
  let current = state;
  for (let t = 0; t < tgtIn.shape[1]; t++) {
    const step = model.decoder.step(tgtIn.select(1, t), current, memory);
    logits.push(step.logits);
    if (step.attention) weights.push(step.attention);
    current = step.state;
  }
  return { logits: stack(logits, 1), attention: weights.length ? stack(weights, 1) : null, state: current };
}

describe('padBatch and decoderTargets', () => {
  it('pad id lists and shift targets: input = [sos, y…], target = [y…, eos]', () => {
    const { tokens, lengths } = padBatch([[5, 6, 7], [8]], PAD);
    expect(tokens.toArray()).toEqual([
      [5, 6, 7],
      [8, 0, 0],
    ]);
    expect(lengths).toEqual([3, 1]);
    const { input, target } = decoderTargets([[5, 6], [7]], special);
    expect(input.toArray()).toEqual([
      [1, 5, 6],
      [1, 7, 0],
    ]);
    expect(target.toArray()).toEqual([
      [5, 6, 2],
      [7, 2, 0],
    ]);
  });
});

describe('teacher forcing', () => {
  it.each([
    ['LSTM, 1 layer', { cell: 'lstm' }, {}],
    ['GRU, 2 layers', { cell: 'gru', numLayers: 2 }, { cell: 'gru', numLayers: 2 }],
    ['LSTM, bidirectional encoder, 2-layer decoder', { cell: 'lstm', numLayers: 2 }, { bidirectional: true }],
  ] as const)('ratio 1 equals the step-by-step loop fed the true tokens (%s)', (_, decoder, encoder) => {
    const model = small(decoder, { ...encoder, cell: decoder.cell });
    const { src, lengths, tgtIn } = batch();
    const whole = model.forward(src, lengths, tgtIn);
    const reference = stepLoop(model, src, lengths, tgtIn);
    expect(whole.logits.shape).toEqual([4, 5, 10]);
    expect(whole.logits).toBeAllClose(reference.logits, { rtol: 1e-5, atol: 1e-6 });
    expect(whole.attention).toBeNull();
    const final = model.decoder.forward(tgtIn, model.encode(src, lengths).state).state;
    expect(final.hidden).toBeAllClose(reference.state.hidden, { rtol: 1e-5, atol: 1e-6 });
  });

  it.each(['input', 'output'] as const)(
    'ratio 1 equals the step loop with attention placed at the %s',
    (placement) => {
      const model = small({ attention: new DotAttention(6), attentionPlacement: placement });
      const { src, lengths, tgtIn } = batch();
      const whole = model.forward(src, lengths, tgtIn);
      const reference = stepLoop(model, src, lengths, tgtIn);
      expect(whole.logits).toBeAllClose(reference.logits, { rtol: 1e-5, atol: 1e-6 });
      expect(whole.attention?.shape).toEqual([4, 5, 4]);
      expect(whole.attention).toBeAllClose(reference.attention, { rtol: 1e-5, atol: 1e-7 });
    },
  );

  it('ratio 0 feeds the argmax of the previous step (scheduled sampling, always sampling)', () => {
    const model = small();
    const { src, lengths, tgtIn } = batch();
    const sampled = model.forward(src, lengths, tgtIn, { teacherForcingRatio: 0 });
    // Reference: only tgtIn[:, 0] (sos) is used; then each step's own prediction.
    const { state, memory } = model.encode(src, lengths);
    let current = state;
    let tokens = tgtIn.select(1, 0);
    const logits: Tensor[] = [];
    for (let t = 0; t < 5; t++) {
      const step = model.decoder.step(tokens, current, memory);
      logits.push(step.logits);
      current = step.state;
      tokens = step.logits.argmax(-1);
    }
    expect(sampled.logits).toBeAllClose(stack(logits, 1), { rtol: 0, atol: 0 });
    const forced = model.forward(src, lengths, tgtIn).logits;
    expect(sampled.logits).not.toBeAllClose(forced);
  });

  it('ratio 0.5: per step and batch element a seeded coin picks the true token or the prediction', () => {
    const model = small();
    const { src, lengths, tgtIn } = batch();
    const ratio = 0.5;
    const sampled = model.forward(src, lengths, tgtIn, {
      teacherForcingRatio: ratio,
      generator: new Generator(3),
    });
    const again = model.forward(src, lengths, tgtIn, {
      teacherForcingRatio: ratio,
      generator: new Generator(3),
    });
    expect(again.logits).toBeAllClose(sampled.logits, { rtol: 0, atol: 0 });
    // Reference with the same draws: for t ≥ 1 and each b, u < ratio → tgtIn[b, t], else the argmax.
    const coins = new Generator(3);
    const truth = tgtIn.toArray() as number[][];
    const { state, memory } = model.encode(src, lengths);
    let current = state;
    let tokens = tgtIn.select(1, 0);
    const logits: Tensor[] = [];
    let mixed = 0;
    for (let t = 0; t < 5; t++) {
      const step = model.decoder.step(tokens, current, memory);
      logits.push(step.logits);
      current = step.state;
      if (t === 4) break;
      const predicted = Array.from(step.logits.argmax(-1).dataSync());
      const next = predicted.map((p, b) => (coins.uniform() < ratio ? truth[b][t + 1] : p));
      mixed += next.filter((id, b) => id !== predicted[b]).length;
      tokens = tensor(next, { dtype: 'int32' });
    }
    expect(mixed).toBeGreaterThan(0);
    expect(sampled.logits).toBeAllClose(stack(logits, 1), { rtol: 0, atol: 0 });
  });
});

describe('encoder', () => {
  it('reverseSource reverses each sequence within its length; padding stays at the end', () => {
    const reversedEncoder = new Seq2SeqEncoder({
      vocabSize: 10,
      embeddingDim: 4,
      hiddenSize: 5,
      reverseSource: true,
    });
    const plain = new Seq2SeqEncoder({ vocabSize: 10, embeddingDim: 4, hiddenSize: 5 });
    plain.loadStateDict(reversedEncoder.stateDict());
    const { tokens: src, lengths } = padBatch(sources, PAD);
    const { tokens: flipped } = padBatch(
      sources.map((s) => [...s].reverse()),
      PAD,
    );
    expect(flipped.toArray()).toEqual([
      [6, 5, 4, 3],
      [8, 7, 0, 0],
      [9, 5, 5, 0],
      [4, 0, 0, 0],
    ]);
    const a = reversedEncoder.forward(src, lengths);
    const b = plain.forward(flipped, lengths);
    expect(a.state.hidden).toBeAllClose(b.state.hidden, { rtol: 1e-6, atol: 1e-7 });
    expect(a.state.cell).toBeAllClose(b.state.cell, { rtol: 1e-6, atol: 1e-7 });
    // Outputs come back in source order: position s of `a` is position L − 1 − s of `b`; padding is zero.
    const outA = a.outputs.toArray() as number[][][];
    const outB = b.outputs.toArray() as number[][][];
    lengths.forEach((length, row) => {
      for (let s = 0; s < 4; s++) {
        if (s < length)
          expect(outA[row][s]).toBeAllClose(outB[row][length - 1 - s], { rtol: 1e-6, atol: 1e-7 });
        else expect(outA[row][s]).toEqual([0, 0, 0, 0, 0]);
      }
    });
    expect(plain.forward(src, lengths).state.hidden).not.toBeAllClose(a.state.hidden);
    expect(a.mask.toArray()).toEqual([
      [true, true, true, true],
      [true, true, false, false],
      [true, true, true, false],
      [true, false, false, false],
    ]);
  });

  it('useEmbedding: false feeds one-hot vectors of size V to the RNN (padIndex → zeros)', () => {
    const encoder = new Seq2SeqEncoder({ vocabSize: 6, hiddenSize: 3, cell: 'gru', useEmbedding: false });
    expect(encoder.embedding).toBeNull();
    expect(encoder.namedParameters().map(([name, p]) => [name, p.shape])).toEqual([
      ['rnn.weight_ih_l0', [9, 6]],
      ['rnn.weight_hh_l0', [9, 3]],
      ['rnn.bias_ih_l0', [9]],
      ['rnn.bias_hh_l0', [9]],
    ]);
    const gru = new GRU({ inputSize: 6, hiddenSize: 3, batchFirst: true });
    gru.loadStateDict(
      Object.fromEntries(Object.entries(encoder.stateDict()).map(([k, v]) => [k.replace('rnn.', ''), v])),
    );
    const src = tensor(
      [
        [3, 5, 1],
        [2, 0, 0],
      ],
      { dtype: 'int32' },
    );
    const oneHot = tensor([
      [
        [0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 1],
        [0, 1, 0, 0, 0, 0],
      ],
      [
        [0, 0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
      ],
    ]);
    const { outputs, state } = encoder.forward(src); // no lengths: the padding is read as zero vectors
    const [expected, hN] = gru.forward(oneHot);
    expect(outputs).toBeAllClose(expected, { rtol: 1e-6, atol: 1e-7 });
    expect(state.hidden).toBeAllClose(hN, { rtol: 1e-6, atol: 1e-7 });
    expect(state.cell).toBeNull();
  });

  it('matches the LSTM layer run on the embeddings with lengths (bidirectional, 2 layers)', () => {
    const encoder = new Seq2SeqEncoder({
      vocabSize: 10,
      embeddingDim: 3,
      hiddenSize: 4,
      numLayers: 2,
      bidirectional: true,
    });
    const lstm = new LSTM({
      inputSize: 3,
      hiddenSize: 4,
      numLayers: 2,
      bidirectional: true,
      batchFirst: true,
    });
    lstm.loadStateDict(
      Object.fromEntries(
        Object.entries(encoder.stateDict())
          .filter(([k]) => k.startsWith('rnn.'))
          .map(([k, v]) => [k.slice(4), v]),
      ),
    );
    const { src, lengths } = batch();
    const { outputs, state } = encoder.forward(src, lengths);
    const [expected, [hN, cN]] = lstm.forward(encoder.embedding!.forward(src), null, { lengths });
    expect(outputs.shape).toEqual([4, 4, 8]);
    expect(outputs).toBeAllClose(expected, { rtol: 1e-6, atol: 1e-7 });
    expect(state.hidden).toBeAllClose(hN, { rtol: 1e-6, atol: 1e-7 });
    expect(state.cell).toBeAllClose(cN, { rtol: 1e-6, atol: 1e-7 });
  });
});

describe('bridge', () => {
  it("'auto' passes states through when they fit (Sutskever et al.'s setup): no parameters", () => {
    const model = small({ numLayers: 2 }, { numLayers: 2 });
    expect(model.bridge.mode).toBe('identity');
    expect(model.bridge.parameters()).toEqual([]);
    const { src, lengths } = batch();
    const encoded = model.encoder.forward(src, lengths);
    expect(model.encode(src, lengths).state.hidden).toBeAllClose(encoded.state.hidden, { rtol: 0, atol: 0 });
  });

  it.each([
    ['bidirectional 2-layer LSTM (H 6) → 3-layer LSTM (H 5)', 'lstm', true, 2, 3, 5],
    ['bidirectional 1-layer GRU (H 6) → 1-layer GRU (H 6)', 'gru', true, 1, 1, 6],
    ['2-layer GRU (H 6) → 1-layer GRU (H 4)', 'gru', false, 2, 1, 4],
  ] as const)(
    '%s: Linear + tanh over the flattened layers and directions',
    (_, cell, bidirectional, encLayers, decLayers, decHidden) => {
      const model = new Seq2Seq({
        encoder: { vocabSize: 10, embeddingDim: 4, hiddenSize: 6, cell, bidirectional, numLayers: encLayers },
        decoder: { vocabSize: 10, embeddingDim: 4, hiddenSize: decHidden, cell, numLayers: decLayers },
      });
      const stacked = encLayers * (bidirectional ? 2 : 1);
      expect(model.bridge.mode).toBe('linear');
      const shapes = model.bridge.namedParameters().map(([name, p]) => [name, p.shape]);
      const linear = [[decLayers * decHidden, stacked * 6], [decLayers * decHidden]];
      expect(shapes).toEqual(
        cell === 'lstm'
          ? [
              ['hidden.weight', linear[0]],
              ['hidden.bias', linear[1]],
              ['cell.weight', linear[0]],
              ['cell.bias', linear[1]],
            ]
          : [
              ['hidden.weight', linear[0]],
              ['hidden.bias', linear[1]],
            ],
      );
      const { src, lengths, tgtIn } = batch();
      const encoded = model.encoder.forward(src, lengths);
      const { state } = model.encode(src, lengths);
      expect(state.hidden.shape).toEqual([decLayers, 4, decHidden]);
      expect(state.cell?.shape ?? null).toEqual(cell === 'lstm' ? [decLayers, 4, decHidden] : null);
      // By hand: flat[b] = [h[0, b], h[1, b], …], state[l, b, j] = tanh(W flat[b] + bias)[l·H + j].
      const h = encoded.state.hidden.toArray() as number[][][];
      const w = model.bridge.hidden!.weight.toArray() as number[][];
      const bias = model.bridge.hidden!.bias!.toArray() as number[];
      const got = state.hidden.toArray() as number[][][];
      for (let b = 0; b < 4; b++) {
        const flat = h.flatMap((layer) => layer[b]);
        for (let l = 0; l < decLayers; l++) {
          for (let j = 0; j < decHidden; j++) {
            const row = l * decHidden + j;
            const expected = Math.tanh(flat.reduce((s, x, k) => s + x * w[row][k], bias[row]));
            expect(got[l][b][j]).toBeCloseTo(expected, 5);
          }
        }
      }
      expect(model.forward(src, lengths, tgtIn).logits.shape).toEqual([4, 5, 10]);
    },
  );

  it("'zeros' starts the decoder from zeros; 'linear' can be forced on fitting shapes", () => {
    const zero = small({}, {});
    const model = new Seq2Seq({ ...configOf(zero), bridge: 'zeros' });
    const { src, lengths } = batch();
    const { state } = model.encode(src, lengths);
    expect(state.hidden.toArray()).toEqual(
      Array.from({ length: 1 }, () => Array.from({ length: 4 }, () => new Array(6).fill(0))),
    );
    expect(state.cell?.shape).toEqual([1, 4, 6]);
    expect(new Seq2Seq({ ...configOf(zero), bridge: 'linear' }).bridge.mode).toBe('linear');
  });
});

function configOf(model: Seq2Seq): Seq2SeqConfig {
  const { encoder: e, decoder: d } = model;
  return {
    encoder: { vocabSize: e.vocabSize, embeddingDim: e.embeddingDim, hiddenSize: e.hiddenSize, cell: e.cell },
    decoder: { vocabSize: d.vocabSize, embeddingDim: d.embeddingDim, hiddenSize: d.hiddenSize, cell: d.cell },
  };
}

describe('attention hook', () => {
  it.each(['input', 'output'] as const)(
    'placement %s: weights sum to 1 over real source tokens and are 0 at padding',
    (placement) => {
      const model = new Seq2Seq({
        encoder: { vocabSize: 10, embeddingDim: 4, hiddenSize: 5, bidirectional: true },
        decoder: {
          vocabSize: 10,
          embeddingDim: 4,
          hiddenSize: 6,
          attention: new DotAttention(10, { querySize: 6 }),
          attentionPlacement: placement,
        },
      });
      // The attention Module is registered: its parameter trains and saves with the decoder.
      expect(model.namedParameters().map(([name]) => name)).toContain('decoder.attention.query.weight');
      const rnnInput = model.decoder.rnn.allWeights[0].weightIh.shape[1];
      expect(rnnInput).toBe(placement === 'input' ? 4 + 10 : 4);
      expect(model.decoder.projection.inFeatures).toBe(placement === 'output' ? 6 + 10 : 6);
      const { src, lengths, tgtIn } = batch();
      const { attention } = model.forward(src, lengths, tgtIn);
      expect(attention?.shape).toEqual([4, 5, 4]);
      const weights = attention!.toArray() as number[][][];
      weights.forEach((rows, b) => {
        for (const row of rows) {
          expect(row.slice(0, lengths[b]).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
          expect(row.slice(lengths[b])).toEqual(new Array(4 - lengths[b]).fill(0));
        }
      });
      const { state, memory } = model.encode(src, lengths);
      const step = model.decoder.step(tgtIn.select(1, 0), state, memory);
      expect(step.attention?.shape).toEqual([4, 4]);
      // The weights are returned, not kept: nothing on the modules holds them.
      expect(Object.values(model.decoder).some((v) => v === step.attention)).toBe(false);
    },
  );

  it('a plain object implementing DecoderAttention works too (not registered: no parameters)', () => {
    const dot = new DotAttention(6);
    const plain = { contextSize: 6, forward: dot.forward.bind(dot) };
    const model = small({ attention: plain });
    expect(model.decoder.attention).toBe(plain);
    expect(model.namedParameters().some(([name]) => name.includes('attention'))).toBe(false);
    const { src, lengths, tgtIn } = batch();
    expect(model.forward(src, lengths, tgtIn).attention?.shape).toEqual([4, 5, 4]);
  });
});

describe('greedyDecode', () => {
  // Copy with lengths 1–6 (so sequences finish at different steps), learned to 100% first.
  const copySources = [
    [3],
    [4, 5],
    [6, 7, 8],
    [9, 3, 4, 5],
    [5, 6, 7, 8, 9],
    [8, 7, 6, 5, 4, 3],
    [7, 7],
    [3, 9, 3],
  ];
  const data = makeBatch(copySources, copySources);
  let model: Seq2Seq;
  beforeAll(() => {
    manualSeed(1);
    model = new Seq2Seq({
      encoder: { vocabSize: 10, embeddingDim: 8, hiddenSize: 32, reverseSource: true },
      decoder: { vocabSize: 10, embeddingDim: 8, hiddenSize: 32, attention: new DotAttention(32) },
    });
    expect(train(model, data, { every: 5 }).accuracy).toBe(1);
    model.eval();
  }, 30_000);

  it('stops each sequence at <eos> and pads the finished ones', () => {
    const out = model.greedyDecode(data.src, data.lengths, { sosIndex: SOS, eosIndex: EOS, maxLength: 10 });
    expect(out.tokens).toEqual(copySources);
    expect(out.finished).toEqual(new Array(8).fill(true));
    expect(out.ids.shape).toEqual([8, 6]);
    expect((out.ids.toArray() as number[][])[0]).toEqual([3, 0, 0, 0, 0, 0]);
    expect((out.ids.toArray() as number[][])[4]).toEqual([5, 6, 7, 8, 9, 0]);
    // One attention row per step, the <eos> step included; [steps, S], zero past the source length.
    expect(out.attention?.map((w) => w.shape)).toEqual(copySources.map((s) => [s.length + 1, 6]));
    const first = out.attention![1].toArray() as number[][];
    for (const row of first) expect(row.slice(2)).toEqual([0, 0, 0, 0]);
  });

  it('equals decoding each sequence alone (finished sequences leave the batch without changing the rest)', () => {
    const together = model.greedyDecode(data.src, data.lengths, {
      sosIndex: SOS,
      eosIndex: EOS,
      maxLength: 10,
    });
    copySources.forEach((source, b) => {
      const alone = model.greedyDecode(tensor([source], { dtype: 'int32' }), null, {
        sosIndex: SOS,
        eosIndex: EOS,
        maxLength: 10,
      });
      expect(alone.tokens[0]).toEqual(together.tokens[b]);
      expect(alone.attention![0]).toBeAllClose(together.attention![b].narrow(1, 0, source.length), {
        rtol: 1e-5,
        atol: 1e-6,
      });
    });
  });

  it('maxLength cuts sequences off (finished: false)', () => {
    const out = model.greedyDecode(data.src, data.lengths, { sosIndex: SOS, eosIndex: EOS, maxLength: 2 });
    expect(out.tokens).toEqual(copySources.map((s) => s.slice(0, 2)));
    expect(out.finished).toEqual(copySources.map((s) => s.length < 2));
    expect(out.ids.shape).toEqual([8, 2]);
  });

  it('runs under noGrad: nothing in the result requires grad', () => {
    const out = model.greedyDecode(data.src, data.lengths, { sosIndex: SOS, eosIndex: EOS, maxLength: 3 });
    expect(out.attention?.some((w) => w.requiresGrad)).toBe(false);
  });
});

describe('loss and gradients', () => {
  it('sequenceCrossEntropy over the real target tokens: sum / tokens = mean', () => {
    const model = small();
    const { src, lengths, tgtIn, tgtOut } = batch();
    const { logits } = model.forward(src, lengths, tgtIn);
    const mean = sequenceCrossEntropy(logits, tgtOut, { padIndex: PAD });
    const sum = sequenceCrossEntropy(logits, tgtOut, { padIndex: PAD, reduction: 'sum' });
    expect(mean.tokens).toBe(targets.reduce((n, t) => n + t.length + 1, 0)); // each target plus <eos>
    expect(sum.loss.item() / sum.tokens).toBeCloseTo(mean.loss.item(), 5);
  });

  it.each([
    ['no attention', {}],
    ['attention (input)', { attention: new DotAttention(12, { querySize: 6 }) }],
  ])('backpropagation through time reaches every encoder parameter (%s)', (_, decoder) => {
    const model = small(decoder, { bidirectional: true, numLayers: 2, dropout: 0.1 });
    const { src, lengths, tgtIn, tgtOut } = batch();
    const { logits } = model.forward(src, lengths, tgtIn);
    sequenceCrossEntropy(logits, tgtOut, { padIndex: PAD }).loss.backward();
    for (const [name, p] of model.namedParameters()) {
      const norm = p.grad ? p.grad.square().sum().item() : 0;
      expect(norm, `${name} got a gradient`).toBeGreaterThan(0);
    }
    // The padding embedding row gets none.
    const grad = model.encoder.embedding!.weight.grad!.toArray() as number[][];
    expect(grad[PAD]).toEqual([0, 0, 0, 0]);
  });

  it('gradients also flow with scheduled sampling', () => {
    const model = small();
    const { src, lengths, tgtIn, tgtOut } = batch();
    const { logits } = model.forward(src, lengths, tgtIn, {
      teacherForcingRatio: 0.5,
      generator: new Generator(1),
    });
    sequenceCrossEntropy(logits, tgtOut, { padIndex: PAD }).loss.backward();
    expect(model.encoder.rnn.allWeights[0].weightHh.grad).not.toBeNull();
  });
});

describe('modules', () => {
  it("state-dict keys: PyTorch's names under encoder., bridge. and decoder.", () => {
    const model = new Seq2Seq({
      encoder: { vocabSize: 10, embeddingDim: 4, hiddenSize: 3, bidirectional: true },
      decoder: { vocabSize: 12, embeddingDim: 5, hiddenSize: 6, cell: 'lstm' },
    });
    expect(Object.entries(model.stateDict()).map(([k, v]) => [k, v.shape])).toEqual([
      ['encoder.embedding.weight', [10, 4]],
      ['encoder.rnn.weight_ih_l0', [12, 4]],
      ['encoder.rnn.weight_hh_l0', [12, 3]],
      ['encoder.rnn.bias_ih_l0', [12]],
      ['encoder.rnn.bias_hh_l0', [12]],
      ['encoder.rnn.weight_ih_l0_reverse', [12, 4]],
      ['encoder.rnn.weight_hh_l0_reverse', [12, 3]],
      ['encoder.rnn.bias_ih_l0_reverse', [12]],
      ['encoder.rnn.bias_hh_l0_reverse', [12]],
      ['bridge.hidden.weight', [6, 6]],
      ['bridge.hidden.bias', [6]],
      ['bridge.cell.weight', [6, 6]],
      ['bridge.cell.bias', [6]],
      ['decoder.embedding.weight', [12, 5]],
      ['decoder.rnn.weight_ih_l0', [24, 5]],
      ['decoder.rnn.weight_hh_l0', [24, 6]],
      ['decoder.rnn.bias_ih_l0', [24]],
      ['decoder.rnn.bias_hh_l0', [24]],
      ['decoder.projection.weight', [12, 6]],
      ['decoder.projection.bias', [12]],
    ]);
    expect(model.encoder.embedding!.weight.toArray()).toContainEqual([0, 0, 0, 0]); // padIndex row
  });

  it('dropout is active in training mode only; eval() reaches encoder and decoder', () => {
    const model = small({ dropout: 0.5 }, { dropout: 0.5 });
    const { src, lengths, tgtIn } = batch();
    const a = model.forward(src, lengths, tgtIn).logits;
    const b = model.forward(src, lengths, tgtIn).logits;
    expect(a).not.toBeAllClose(b);
    model.eval();
    const c = model.forward(src, lengths, tgtIn).logits;
    expect(model.forward(src, lengths, tgtIn).logits).toBeAllClose(c, { rtol: 0, atol: 0 });
    expect(model.decoder.rnn.training).toBe(false);
  });

  it('prints the module tree', () => {
    expect(small().toString()).toContain("Seq2SeqEncoder(vocabSize=10, cell='lstm'");
  });
});

describe('errors name the module and give expected against got', () => {
  const model = small();
  const { src, lengths, tgtIn } = batch();

  it('encoder inputs', () => {
    expect(() => model.encoder.forward(src.to('float32'), lengths)).toThrow(DTypeError);
    expect(() => model.encoder.forward(src.to('float32'), lengths)).toThrow(
      /seq2seqEncoder: src must be int32/,
    );
    expect(() => model.encoder.forward(src.select(0, 0), [4])).toThrow(ShapeError);
    expect(() => model.encoder.forward(tensor([[3, 12]], { dtype: 'int32' }))).toThrow(
      /seq2seqEncoder: src holds id 12, out of range for vocabSize 10/,
    );
    expect(() => model.encoder.forward(src, [4, 2])).toThrow(
      /seq2seqEncoder: lengths must have one entry per batch/,
    );
    expect(() => model.encoder.forward(src, [4, 2, 3, 5])).toThrow(IndexError);
  });

  it('decoder inputs: tokens, state, memory and the attention hook', () => {
    const { state, memory } = model.encode(src, lengths);
    expect(() => model.decoder.step(tensor([1, 1], { dtype: 'int32' }), state)).toThrow(
      /seq2seqDecoder.step: state.hidden must have shape \[1, 2, 6\] \(got \[1, 4, 6\]\)/,
    );
    expect(() => model.decoder.step(tgtIn, state)).toThrow(
      /seq2seqDecoder.step: prevTokens must be a non-empty \[B\]/,
    );
    expect(() => model.decoder.step(tgtIn.select(1, 0), { hidden: state.hidden, cell: null })).toThrow(
      /seq2seqDecoder.step: an LSTM state needs state.cell/,
    );
    expect(() => model.decoder.forward(tgtIn.to('float32'), state)).toThrow(DTypeError);
    const attending = small({ attention: new DotAttention(6) });
    expect(() => attending.decoder.forward(tgtIn, state)).toThrow(
      /seq2seqDecoder: a decoder with attention needs the memory/,
    );
    expect(() =>
      attending.decoder.forward(tgtIn, state, { keys: memory.keys.narrow(0, 0, 2), mask: null }),
    ).toThrow(/seq2seqDecoder: memory.keys must be \[B, S, ·\] with B = 4 \(got \[2, 4, 6\]\)/);
    const broken = small({ attention: { contextSize: 6, forward: (q, k) => [q, k.sum(-1).sum(-1)] } });
    expect(() => broken.forward(src, lengths, tgtIn)).toThrow(
      /seq2seqDecoder: attention: weights must have shape \[4, 4\] \(got \[4\]\)/,
    );
  });

  it('model inputs and options', () => {
    expect(() => model.forward(src, lengths, tgtIn.narrow(0, 0, 2))).toThrow(
      /seq2seq: src and tgtIn must have the same batch size/,
    );
    expect(() => model.forward(src, lengths, tgtIn, { teacherForcingRatio: 1.5 })).toThrow(
      /seq2seq: teacherForcingRatio must be in \[0, 1\] \(got 1.5\)/,
    );
    expect(() => model.greedyDecode(src, lengths, { sosIndex: 1, eosIndex: 10, maxLength: 5 })).toThrow(
      /seq2seq.greedyDecode: eosIndex must be an integer in \[0, 10\) \(got 10\)/,
    );
    expect(() => model.greedyDecode(src, lengths, { sosIndex: 1, eosIndex: 2, maxLength: 0 })).toThrow(
      TensorloomError,
    );
  });

  it('configurations', () => {
    expect(() => new Seq2SeqEncoder({ vocabSize: 0 })).toThrow(
      /seq2seqEncoder: vocabSize must be an integer ≥ 1/,
    );
    expect(() => new Seq2SeqEncoder({ vocabSize: 5, cell: 'rnn' as 'gru' })).toThrow(
      /cell must be 'lstm' or 'gru'/,
    );
    expect(() => new Seq2SeqEncoder({ vocabSize: 5, padIndex: 5 })).toThrow(IndexError);
    expect(() => new Seq2SeqDecoder({ vocabSize: 5, dropout: 2 })).toThrow(
      /seq2seqDecoder: dropout must be in \[0, 1\]/,
    );
    expect(() => new Seq2SeqDecoder({ vocabSize: 5, attentionPlacement: 'middle' as 'input' })).toThrow(
      /attentionPlacement must be 'input' or 'output'/,
    );
    expect(
      () =>
        new Seq2Seq({
          encoder: { vocabSize: 5, hiddenSize: 4 },
          decoder: { vocabSize: 5, hiddenSize: 4, cell: 'gru' },
        }),
    ).toThrow(/seq2seqBridge: encoder and decoder must use the same cell \(encoder 'lstm', decoder 'gru'\)/);
    expect(
      () =>
        new Seq2Seq({
          encoder: { vocabSize: 5, hiddenSize: 4, bidirectional: true },
          decoder: { vocabSize: 5, hiddenSize: 4 },
          bridge: 'identity',
        }),
    ).toThrow(/seq2seqBridge: 'identity' needs equal state shapes/);
    expect(
      () =>
        new Seq2Seq({
          encoder: { vocabSize: 5, hiddenSize: 4, dtype: 'float64' },
          decoder: { vocabSize: 5, hiddenSize: 4 },
        }),
    ).toThrow(/seq2seq: encoder and decoder must share a dtype/);
  });
});

// noGrad is re-exported for callers who run the model for evaluation.
it('forward under noGrad builds no graph', () => {
  const model = small();
  const { src, lengths, tgtIn } = batch();
  expect(noGrad(() => model.forward(src, lengths, tgtIn).logits).requiresGrad).toBe(false);
  expect(randomSequences(2, { vocabSize: 10, minLength: 1, maxLength: 2, seed: 0 }).length).toBe(2);
});

it("the README's example: build, train, greedy decode", { timeout: 30_000 }, () => {
  manualSeed(0);
  const model = new Seq2Seq({
    encoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 64, reverseSource: true },
    decoder: { vocabSize: 10, embeddingDim: 16, hiddenSize: 64 },
  });
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  const pairs = [
    [5, 6, 7],
    [8, 9],
  ];
  const { tokens: src, lengths } = padBatch(pairs, PAD);
  const { input: tgtIn, target: tgtOut } = decoderTargets(pairs, {
    sosIndex: SOS,
    eosIndex: EOS,
    padIndex: PAD,
  });
  expect([src.shape, lengths, tgtIn.shape]).toEqual([
    [2, 3],
    [3, 2],
    [2, 4],
  ]);
  for (let step = 0; step < 40; step++) {
    const { logits } = model.forward(src, lengths, tgtIn);
    expect(logits.shape).toEqual([2, 4, 10]);
    const { loss, tokens } = sequenceCrossEntropy(logits, tgtOut, { padIndex: PAD });
    expect(tokens).toBe(7);
    optimizer.zeroGrad();
    loss.backward();
    clipGradNorm(model.parameters(), 1);
    optimizer.step();
  }
  model.eval();
  expect(model.greedyDecode(src, lengths, { sosIndex: SOS, eosIndex: EOS, maxLength: 10 }).tokens).toEqual(
    pairs,
  );
});
