/**
 * @file Cells by hand: one-unit cells with chosen weights against the formulas computed in plain float64
 * arithmetic (PyTorch's gate order and GRU's r ⊙ (W_hn h + b_hn)), unbatched inputs, and a layer that equals its
 * cell run step by step.
 */
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@tensorloom/nn-rnn';
import { Generator, manualSeed, randn, stack, type Tensor, tensor } from '@tensorloom/tensor';
import { beforeEach, describe, expect, it } from 'vitest';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const f64 = (values: number[], shape: number[]) => tensor(values, { shape, dtype: 'float64' });

beforeEach(() => {
  manualSeed(3);
});

describe('hand-computed steps (one input, one unit)', () => {
  const x = 0.7;
  const h = -0.4;
  const c = 0.9;

  it('RNNCell tanh and relu: h′ = act(w_ih·x + b_ih + w_hh·h + b_hh)', () => {
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      const cell = new RNNCell(1, 1, { nonlinearity, dtype: 'float64' });
      cell.loadStateDict({
        weight_ih: f64([0.5], [1, 1]),
        weight_hh: f64([-1.5], [1, 1]),
        bias_ih: f64([0.1], [1]),
        bias_hh: f64([-0.2], [1]),
      });
      const pre = 0.5 * x + 0.1 + -1.5 * h - 0.2;
      const expected = nonlinearity === 'tanh' ? Math.tanh(pre) : Math.max(pre, 0);
      expect(cell.forward(f64([x], [1, 1]), f64([h], [1, 1]))).toBeAllClose([[expected]], { rtol: 1e-12 });
    }
  });

  it('LSTMCell: gates packed (i, f, g, o)', () => {
    const wi = [0.3, -0.2, 0.8, 0.5]; // i, f, g, o
    const wh = [-0.6, 0.4, 0.1, -0.9];
    const bi = [0.05, 0.5, -0.1, 0.2];
    const bh = [0.1, 0.3, 0.0, -0.4];
    const cell = new LSTMCell(1, 1, { dtype: 'float64' });
    cell.loadStateDict({
      weight_ih: f64(wi, [4, 1]),
      weight_hh: f64(wh, [4, 1]),
      bias_ih: f64(bi, [4]),
      bias_hh: f64(bh, [4]),
    });
    const pre = wi.map((w, k) => w * x + bi[k] + wh[k] * h + bh[k]);
    const [i, f, o] = [sigmoid(pre[0]), sigmoid(pre[1]), sigmoid(pre[3])];
    const g = Math.tanh(pre[2]);
    const cNext = f * c + i * g;
    const hNext = o * Math.tanh(cNext);
    const [hOut, cOut] = cell.forward(f64([x], [1, 1]), [f64([h], [1, 1]), f64([c], [1, 1])]);
    expect(hOut).toBeAllClose([[hNext]], { rtol: 1e-12 });
    expect(cOut).toBeAllClose([[cNext]], { rtol: 1e-12 });
  });

  it('GRUCell: gates packed (r, z, n), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) as in PyTorch', () => {
    const wi = [0.3, -0.2, 0.8]; // r, z, n
    const wh = [-0.6, 0.4, 1.1];
    const bi = [0.05, 0.5, -0.1];
    const bh = [0.1, 0.3, 0.7];
    const cell = new GRUCell(1, 1, { dtype: 'float64' });
    cell.loadStateDict({
      weight_ih: f64(wi, [3, 1]),
      weight_hh: f64(wh, [3, 1]),
      bias_ih: f64(bi, [3]),
      bias_hh: f64(bh, [3]),
    });
    const r = sigmoid(wi[0] * x + bi[0] + wh[0] * h + bh[0]);
    const z = sigmoid(wi[1] * x + bi[1] + wh[1] * h + bh[1]);
    const n = Math.tanh(wi[2] * x + bi[2] + r * (wh[2] * h + bh[2]));
    const expected = (1 - z) * n + z * h;
    expect(cell.forward(f64([x], [1, 1]), f64([h], [1, 1]))).toBeAllClose([[expected]], { rtol: 1e-12 });
    // b_hn inside r ⊙ (…) differs from adding it outside (the original paper's variant):
    const outside = (1 - z) * Math.tanh(wi[2] * x + bi[2] + bh[2] + r * wh[2] * h) + z * h;
    expect(Math.abs(outside - expected)).toBeGreaterThan(1e-3);
  });
});

describe('batching', () => {
  it.each([
    ['RNNCell', () => new RNNCell(3, 4)],
    ['GRUCell', () => new GRUCell(3, 4)],
  ] as const)('%s: an unbatched [in] input gives the batched result for a batch of one', (_, make) => {
    const cell = make();
    const x = randn([3], { generator: new Generator(1) });
    const h = randn([4], { generator: new Generator(2) });
    const out = cell.forward(x, h);
    expect(out.shape).toEqual([4]);
    expect(out).toBeAllClose(cell.forward(x.unsqueeze(0), h.unsqueeze(0)).squeeze(0), { rtol: 0, atol: 0 });
    expect(cell.forward(x).shape).toEqual([4]);
  });

  it('LSTMCell: unbatched input and states', () => {
    const cell = new LSTMCell(3, 4);
    const [h, c] = cell.forward(randn([3]), [randn([4]), randn([4])]);
    expect([h.shape, c.shape]).toEqual([[4], [4]]);
    const [h2, c2] = cell.forward(randn([5, 3]));
    expect([h2.shape, c2.shape]).toEqual([
      [5, 4],
      [5, 4],
    ]);
  });
});

describe('a one-layer layer is its cell run over time', () => {
  function cellWeights(layer: RNN | LSTM | GRU): Record<string, Tensor> {
    const sd = layer.stateDict();
    return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k.replace(/_l0$/, ''), v]));
  }
  const x = randn([6, 2, 3], { generator: new Generator(4) });

  it('LSTM = LSTMCell × T', () => {
    const layer = new LSTM({ inputSize: 3, hiddenSize: 4 });
    const cell = new LSTMCell(3, 4);
    cell.loadStateDict(cellWeights(layer));
    let state: [Tensor, Tensor] | null = null;
    const hs: Tensor[] = [];
    for (let t = 0; t < 6; t++) {
      state = cell.forward(x.select(0, t), state);
      hs.push(state[0]);
    }
    const [output, [hN, cN]] = layer.forward(x);
    expect(output).toBeAllClose(stack(hs), { rtol: 1e-6, atol: 1e-7 });
    expect(hN.squeeze(0)).toBeAllClose((state as [Tensor, Tensor])[0], { rtol: 1e-6, atol: 1e-7 });
    expect(cN.squeeze(0)).toBeAllClose((state as [Tensor, Tensor])[1], { rtol: 1e-6, atol: 1e-7 });
  });

  it.each([
    ['GRU = GRUCell × T', () => new GRU({ inputSize: 3, hiddenSize: 4 }), () => new GRUCell(3, 4)],
    [
      'RNN relu = RNNCell relu × T',
      () => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' }),
      () => new RNNCell(3, 4, { nonlinearity: 'relu' }),
    ],
  ] as const)('%s', (_, makeLayer, makeCell) => {
    const layer = makeLayer();
    const cell = makeCell();
    cell.loadStateDict(cellWeights(layer));
    let h: Tensor | null = null;
    const hs: Tensor[] = [];
    for (let t = 0; t < 6; t++) {
      h = cell.forward(x.select(0, t), h);
      hs.push(h);
    }
    const [output, hN] = layer.forward(x);
    expect(output).toBeAllClose(stack(hs), { rtol: 1e-6, atol: 1e-7 });
    expect(hN.squeeze(0)).toBeAllClose(h, { rtol: 1e-6, atol: 1e-7 });
  });
});
