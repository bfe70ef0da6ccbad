/**
 * @file Layers beyond the reference fixture: PyTorch's parameter names and shapes, output and state shapes for
 * every layout, PyTorch's default init, dropout between layers (training only, seeded), a 500-step sequence
 * through forward and backward, and a toy task learned with variable lengths.
 */
import { mseLoss } from '@tensorloom/losses';
import { Linear } from '@tensorloom/nn';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@tensorloom/nn-rnn';
import { Adam } from '@tensorloom/optim';
import { dropout, Generator, manualSeed, noGrad, randn, type Tensor, tensor } from '@tensorloom/tensor';
import { beforeEach, describe, expect, it } from 'vitest';

beforeEach(() => {
  manualSeed(11);
});

const shapes = (layer: { namedParameters(): [string, Tensor][] }) =>
  layer.namedParameters().map(([name, p]) => [name, p.shape]);

describe("PyTorch's parameter names, order and shapes", () => {
  it('LSTM(3, 5, num_layers=2, bidirectional=True)', () => {
    // [(n, list(p.shape)) for n, p in nn.LSTM(3, 5, num_layers=2, bidirectional=True).named_parameters()]
    expect(shapes(new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true }))).toEqual([
      ['weight_ih_l0', [20, 3]],
      ['weight_hh_l0', [20, 5]],
      ['bias_ih_l0', [20]],
      ['bias_hh_l0', [20]],
      ['weight_ih_l0_reverse', [20, 3]],
      ['weight_hh_l0_reverse', [20, 5]],
      ['bias_ih_l0_reverse', [20]],
      ['bias_hh_l0_reverse', [20]],
      ['weight_ih_l1', [20, 10]],
      ['weight_hh_l1', [20, 5]],
      ['bias_ih_l1', [20]],
      ['bias_hh_l1', [20]],
      ['weight_ih_l1_reverse', [20, 10]],
      ['weight_hh_l1_reverse', [20, 5]],
      ['bias_ih_l1_reverse', [20]],
      ['bias_hh_l1_reverse', [20]],
    ]);
  });

  it('GRU(4, 2, num_layers=2, bias=False) and RNN(4, 2)', () => {
    expect(shapes(new GRU({ inputSize: 4, hiddenSize: 2, numLayers: 2, bias: false }))).toEqual([
      ['weight_ih_l0', [6, 4]],
      ['weight_hh_l0', [6, 2]],
      ['weight_ih_l1', [6, 2]],
      ['weight_hh_l1', [6, 2]],
    ]);
    expect(shapes(new RNN({ inputSize: 4, hiddenSize: 2 }))).toEqual([
      ['weight_ih_l0', [2, 4]],
      ['weight_hh_l0', [2, 2]],
      ['bias_ih_l0', [2]],
      ['bias_hh_l0', [2]],
    ]);
  });

  it('cells: weight_ih, weight_hh, bias_ih, bias_hh', () => {
    expect(shapes(new LSTMCell(3, 5))).toEqual([
      ['weight_ih', [20, 3]],
      ['weight_hh', [20, 5]],
      ['bias_ih', [20]],
      ['bias_hh', [20]],
    ]);
    expect(shapes(new GRUCell(3, 5, { bias: false }))).toEqual([
      ['weight_ih', [15, 3]],
      ['weight_hh', [15, 5]],
    ]);
    expect(shapes(new RNNCell(3, 5)).map(([name]) => name)).toEqual([
      'weight_ih',
      'weight_hh',
      'bias_ih',
      'bias_hh',
    ]);
  });

  it('allWeights holds layer l, direction d at l·D + d, the registered tensors themselves', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true });
    const byName = Object.fromEntries(lstm.namedParameters());
    expect(lstm.allWeights[3].weightIh).toBe(byName.weight_ih_l1_reverse);
    expect(lstm.allWeights[2].biasHh).toBe(byName.bias_hh_l1);
  });

  it('prints like PyTorch', () => {
    expect(new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true }).toString()).toBe(
      'LSTM(3, 5, numLayers=2, bidirectional=true)',
    );
    expect(new RNN({ inputSize: 3, hiddenSize: 5, nonlinearity: 'relu', batchFirst: true }).toString()).toBe(
      "RNN(3, 5, batchFirst=true, nonlinearity='relu')",
    );
    expect(new GRUCell(3, 5, { bias: false }).toString()).toBe('GRUCell(3, 5, bias=false)');
  });
});

describe('output and state shapes', () => {
  it('the README example', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });
    const [output, [hN, cN]] = lstm.forward(randn([7, 4, 3]), null, { lengths: [7, 2, 5, 3] });
    expect([output.shape, hN.shape, cN.shape]).toEqual([
      [7, 4, 10],
      [4, 4, 5],
      [4, 4, 5],
    ]);
    expect(output.select(0, 6).select(0, 1).abs().sum().item()).toBe(0);
    const cell = new GRUCell(3, 5);
    const h = cell.forward(randn([4, 3]));
    expect(cell.forward(randn([4, 3]), h).shape).toEqual([4, 5]);
  });

  const T = 6;
  const B = 4;
  it.each([
    ['time-major', {}, [T, B, 3], [T, B, 5], [1, B, 5]],
    ['batchFirst', { batchFirst: true }, [B, T, 3], [B, T, 5], [1, B, 5]],
    ['2 layers bidirectional', { numLayers: 2, bidirectional: true }, [T, B, 3], [T, B, 10], [4, B, 5]],
    ['batchFirst bidirectional', { batchFirst: true, bidirectional: true }, [B, T, 3], [B, T, 10], [2, B, 5]],
    ['unbatched', { numLayers: 3 }, [T, 3], [T, 5], [3, 5]],
    [
      'unbatched batchFirst bidirectional',
      { batchFirst: true, bidirectional: true },
      [T, 3],
      [T, 10],
      [2, 5],
    ],
  ])('%s', (_, options, inShape, outShape, stateShape) => {
    const config = { inputSize: 3, hiddenSize: 5, ...options };
    const [o1, h1] = new RNN(config).forward(randn(inShape));
    const [o2, h2] = new GRU(config).forward(randn(inShape), randn(stateShape));
    const [o3, [h3, c3]] = new LSTM(config).forward(randn(inShape), [randn(stateShape), randn(stateShape)]);
    for (const o of [o1, o2, o3]) expect(o.shape).toEqual(outShape);
    for (const s of [h1, h2, h3, c3]) expect(s.shape).toEqual(stateShape);
  });

  it('the output of the last layer at the last step is hN (forward) and at step 0 (reverse)', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });
    const [output, [hN]] = lstm.forward(randn([T, B, 3]));
    expect(output.select(0, T - 1).narrow(1, 0, 5)).toBeAllClose(hN.select(0, 2), { rtol: 0, atol: 0 });
    expect(output.select(0, 0).narrow(1, 5, 5)).toBeAllClose(hN.select(0, 3), { rtol: 0, atol: 0 });
  });
});

describe("PyTorch's default init: every parameter ~ U(−1/√H, 1/√H)", () => {
  it.each([
    ['LSTM', () => new LSTM({ inputSize: 7, hiddenSize: 16, numLayers: 2, bidirectional: true }), 16],
    ['GRU', () => new GRU({ inputSize: 7, hiddenSize: 25 }), 25],
    ['RNN', () => new RNN({ inputSize: 7, hiddenSize: 9 }), 9],
    ['LSTMCell', () => new LSTMCell(7, 16), 16],
    ['GRUCell', () => new GRUCell(30, 4), 4],
    ['RNNCell', () => new RNNCell(7, 36), 36],
  ] as const)('%s', (_, make, hidden) => {
    const bound = 1 / Math.sqrt(hidden);
    const values = make()
      .parameters()
      .flatMap((p) => Array.from(p.dataSync()));
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values)).toBeGreaterThan(0.9 * bound);
    expect(Math.min(...values)).toBeLessThan(-0.9 * bound);
    expect(Math.abs(mean)).toBeLessThan((4 * bound) / Math.sqrt(3 * n)); // 4 standard errors
    expect(variance / (bound * bound)).toBeCloseTo(1 / 3, 1); // Var U(−a, a) = a²/3
  });

  it('dtype float64 makes float64 parameters', () => {
    for (const p of new GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64' }).parameters()) {
      expect(p.dtype).toBe('float64');
    }
    expect(new LSTMCell(2, 3).weightIh.dtype).toBe('float32');
  });
});

describe('dropout between layers', () => {
  const x = randn([5, 3, 4], { generator: new Generator(1) });
  const config = { inputSize: 4, hiddenSize: 6, numLayers: 2, dropout: 0.5 };

  it('acts in training only, on every layer but the last, with masks from the generator', () => {
    const lstm = new LSTM({ ...config, generator: new Generator(42) });
    // The same computation by hand: layer 0, dropout(p) with a generator in the same state, layer 1.
    const layer0 = new LSTM({ inputSize: 4, hiddenSize: 6 });
    const layer1 = new LSTM({ inputSize: 6, hiddenSize: 6 });
    const sd = lstm.stateDict();
    const pick = (l: number) =>
      Object.fromEntries(
        ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((k) => [`${k}_l0`, sd[`${k}_l${l}`]]),
      );
    layer0.loadStateDict(pick(0));
    layer1.loadStateDict(pick(1));
    const [hidden] = layer0.forward(x);
    const dropped = dropout(hidden, { p: 0.5, generator: new Generator(42) });
    const [expected] = layer1.forward(dropped);

    const [trained] = lstm.forward(x);
    expect(trained).toBeAllClose(expected, { rtol: 1e-6, atol: 1e-7 });

    lstm.eval();
    const [evaluated] = lstm.forward(x);
    expect(evaluated).toBeAllClose(layer1.forward(hidden)[0], { rtol: 1e-6, atol: 1e-7 });
    expect(evaluated).not.toBeAllClose(trained, { rtol: 1e-3, atol: 1e-3 });
  });

  it('is reproducible from a seeded generator', () => {
    const a = new GRU({ ...config, generator: new Generator(5) });
    const b = new GRU({ ...config, generator: new Generator(5) });
    const c = new GRU({ ...config, generator: new Generator(6) });
    b.loadStateDict(a.stateDict());
    c.loadStateDict(a.stateDict());
    const [outA] = a.forward(x);
    expect(b.forward(x)[0]).toBeAllClose(outA, { rtol: 0, atol: 0 });
    expect(c.forward(x)[0]).not.toBeAllClose(outA, { rtol: 1e-3, atol: 1e-3 });
    expect(a.forward(x)[0]).not.toBeAllClose(outA, { rtol: 1e-3, atol: 1e-3 }); // the stream moves on
  });

  it('does nothing after the last layer', () => {
    const rnn = new RNN({ inputSize: 4, hiddenSize: 6, dropout: 0.9 });
    const [trained, hTrained] = rnn.forward(x);
    const [evaluated, hEval] = rnn.eval().forward(x);
    expect(trained).toBeAllClose(evaluated, { rtol: 0, atol: 0 });
    expect(hTrained).toBeAllClose(hEval, { rtol: 0, atol: 0 });
  });
});

describe('long sequences', () => {
  it('500 steps forward and backward (the graph walk is iterative)', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 4 });
    const x = randn([500, 2, 2], { generator: new Generator(2), requiresGrad: true });
    const [output, [hN, cN]] = lstm.forward(x);
    output.sum().add(hN.sum()).add(cN.sum()).backward();
    const grad = x.grad as Tensor;
    expect(grad.shape).toEqual([500, 2, 2]);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
    expect(grad.select(0, 0).abs().sum().item()).toBeGreaterThan(0); // reaches the first step
    for (const p of lstm.parameters())
      expect(Array.from((p.grad as Tensor).dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('500 steps of a bidirectional GRU with lengths', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true });
    const x = randn([500, 2, 2], { generator: new Generator(3), requiresGrad: true });
    const [output, hN] = gru.forward(x, null, { lengths: [500, 321] });
    output.sum().add(hN.sum()).backward();
    const grad = x.grad as Tensor;
    expect(grad.select(0, 320).select(0, 1).abs().sum().item()).toBeGreaterThan(0);
    expect(grad.select(0, 321).select(0, 1).abs().sum().item()).toBe(0);
  });
});

describe('learning', () => {
  it('an LSTM learns to recall the first token of variable-length sequences from hN', () => {
    // Inputs [T, B, 2]: feature 0 of step 0 is the ±1 signal, the rest noise; target: the signal, read from hN.
    const T = 8;
    const B = 16;
    const g = new Generator(9);
    const lengths = Array.from({ length: B }, () => g.integer(2, T + 1));
    const signal = Array.from({ length: B }, () => (g.uniform() < 0.5 ? -1 : 1));
    const noise = randn([T, B, 2], { generator: g }).mul(0.5);
    const marker = tensor(
      Array.from({ length: T * B * 2 }, (_, i) => (i < B * 2 && i % 2 === 0 ? signal[i / 2] * 2 : 0)),
      { shape: [T, B, 2] },
    );
    const x = noise.add(marker);
    const target = tensor(signal, { shape: [B, 1], dtype: 'float32' });

    const lstm = new LSTM({ inputSize: 2, hiddenSize: 8 });
    const head = new Linear(8, 1);
    const optimizer = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
    const loss = () => {
      const [, [hN]] = lstm.forward(x, null, { lengths });
      return mseLoss(head.forward(hN.squeeze(0)), target);
    };
    const initial = noGrad(loss).item();
    for (let step = 0; step < 60; step++) {
      optimizer.zeroGrad();
      loss().backward();
      optimizer.step();
    }
    const final = noGrad(loss).item();
    expect(initial).toBeGreaterThan(0.5);
    expect(final).toBeLessThan(0.05);
  });
});
