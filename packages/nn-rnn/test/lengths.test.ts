/**
 * @file Variable-length batches: padded steps change nothing and receive no gradient, each sequence gives what
 * it gives alone (both directions), the order of the batch does not matter, and outputs are zero past each
 * length, as with PyTorch's pack_padded_sequence → layer → pad_packed_sequence.
 */
import { GRU, LSTM, RNN } from '@tensorloom/nn-rnn';
import { Generator, indexSelect, manualSeed, randn, type Tensor, tensor } from '@tensorloom/tensor';
import { beforeEach, describe, expect, it } from 'vitest';

const T = 5;
const B = 4;
const IN = 3;
const H = 4;
const LENGTHS = [3, 5, 1, 4]; // unsorted; only one sequence fills all T steps

beforeEach(() => {
  manualSeed(7);
});

const layers = {
  'LSTM 2 layers bidirectional': () =>
    new LSTM({ inputSize: IN, hiddenSize: H, numLayers: 2, bidirectional: true }),
  'GRU bidirectional batchFirst': () =>
    new GRU({ inputSize: IN, hiddenSize: H, bidirectional: true, batchFirst: true }),
  'RNN 2 layers': () => new RNN({ inputSize: IN, hiddenSize: H, numLayers: 2 }),
};
type Layer = LSTM | GRU | RNN;

/** [output, ...final states] of any of the layers, with states from zeros. */
function run(layer: Layer, x: Tensor, lengths?: readonly number[]): Tensor[] {
  const options = { lengths };
  if (layer instanceof LSTM) {
    const [output, [hN, cN]] = layer.forward(x, null, options);
    return [output, hN, cN];
  }
  const [output, hN] = layer.forward(x, null, options);
  return [output, hN];
}

function input(layer: Layer, seed = 1, batch = B): Tensor {
  const shape = layer.batchFirst ? [batch, T, IN] : [T, batch, IN];
  return randn(shape, { generator: new Generator(seed), requiresGrad: true });
}

/** Batch element b's steps of a [T, B, ·] or [B, T, ·] tensor, as [steps, ·]. */
function sequence(layer: Layer, t: Tensor, b: number): Tensor {
  return t.select(layer.batchFirst ? 0 : 1, b);
}

describe.each(Object.entries(layers))('%s with lengths', (_, make) => {
  it('padded steps get no gradient; real steps do', () => {
    const layer = make();
    const x = input(layer);
    const outs = run(layer, x, LENGTHS);
    outs
      .map((o, k) => o.mul(randn(o.shape, { generator: new Generator(10 + k) })).sum())
      .reduce((a, b) => a.add(b))
      .backward();
    const grad = x.grad as Tensor;
    LENGTHS.forEach((length, b) => {
      const g = sequence(layer, grad, b); // [T, in]
      for (let t = 0; t < T; t++) {
        const norm = g.select(0, t).abs().sum().item();
        if (t < length) expect(norm, `b ${b}, real step ${t}`).toBeGreaterThan(0);
        else expect(norm, `b ${b}, padded step ${t}`).toBe(0);
      }
    });
  });

  it('outputs are exactly zero past each length', () => {
    const layer = make();
    const [output] = run(layer, input(layer), LENGTHS);
    LENGTHS.forEach((length, b) => {
      const o = sequence(layer, output, b); // [T, D·H]
      for (let t = 0; t < T; t++) {
        const norm = o.select(0, t).abs().sum().item();
        if (t < length) expect(norm).toBeGreaterThan(0);
        else expect(norm).toBe(0);
      }
    });
  });

  it('values at padded steps change nothing', () => {
    const layer = make();
    const x = input(layer);
    const noisy = input(layer, 2);
    // Same real tokens, different padding.
    const mask = tensor(
      Array.from({ length: T * B }, (_, i) => {
        const [t, b] = layer.batchFirst ? [i % T, Math.floor(i / T)] : [Math.floor(i / B), i % B];
        return t < LENGTHS[b];
      }),
      { shape: layer.batchFirst ? [B, T, 1] : [T, B, 1], dtype: 'bool' },
    );
    const mixed = x.where(mask, noisy);
    run(layer, x, LENGTHS).forEach((o, k) => {
      expect(run(layer, mixed, LENGTHS)[k]).toBeAllClose(o, { rtol: 0, atol: 0 });
    });
  });

  it('each sequence gives what it gives alone, truncated to its length (both directions)', () => {
    const layer = make();
    const x = input(layer);
    const [output, ...finals] = run(layer, x, LENGTHS);
    LENGTHS.forEach((length, b) => {
      const alone = sequence(layer, x, b)
        .narrow(0, 0, length)
        .unsqueeze(layer.batchFirst ? 0 : 1); // one sequence
      const [outAlone, ...finalsAlone] = run(layer, alone);
      expect(sequence(layer, output, b).narrow(0, 0, length)).toBeAllClose(sequence(layer, outAlone, 0), {
        rtol: 1e-5,
        atol: 1e-6,
      });
      finals.forEach((f, k) => {
        expect(f.select(1, b)).toBeAllClose(finalsAlone[k].select(1, 0), { rtol: 1e-5, atol: 1e-6 });
      });
    });
  });

  it('unsorted lengths give the sorted results, permuted', () => {
    const layer = make();
    const x = input(layer);
    const order = [...LENGTHS.keys()].sort((a, b) => LENGTHS[b] - LENGTHS[a]); // longest first
    const batchDim = layer.batchFirst ? 0 : 1;
    const index = tensor(order, { dtype: 'int32' });
    const unsorted = run(layer, x, LENGTHS);
    const sorted = run(
      layer,
      indexSelect(x, batchDim, index),
      order.map((b) => LENGTHS[b]),
    );
    expect(sorted[0]).toBeAllClose(indexSelect(unsorted[0], batchDim, index), { rtol: 0, atol: 0 });
    for (let k = 1; k < sorted.length; k++) {
      expect(sorted[k]).toBeAllClose(indexSelect(unsorted[k], 1, index), { rtol: 0, atol: 0 });
    }
  });

  it('lengths that all equal T change nothing', () => {
    const layer = make();
    const x = input(layer);
    const full = run(layer, x, Array(B).fill(T));
    run(layer, x).forEach((o, k) => {
      expect(full[k]).toBeAllClose(o, { rtol: 0, atol: 0 });
    });
  });
});

describe('lengths with initial states', () => {
  it('a length-1 sequence in the reverse direction starts from h0 at its only token', () => {
    const lstm = new LSTM({ inputSize: IN, hiddenSize: H, bidirectional: true });
    const x = randn([T, 2, IN], { generator: new Generator(3) });
    const h0 = randn([2, 2, H], { generator: new Generator(4) });
    const c0 = randn([2, 2, H], { generator: new Generator(5) });
    const [output, [hN, cN]] = lstm.forward(x, [h0, c0], { lengths: [1, T] });
    const [outAlone, [hAlone, cAlone]] = lstm.forward(x.narrow(0, 0, 1).narrow(1, 0, 1), [
      h0.narrow(1, 0, 1),
      c0.narrow(1, 0, 1),
    ]);
    expect(output.narrow(0, 0, 1).narrow(1, 0, 1)).toBeAllClose(outAlone, { rtol: 1e-6, atol: 1e-7 });
    expect(hN.narrow(1, 0, 1)).toBeAllClose(hAlone, { rtol: 1e-6, atol: 1e-7 });
    expect(cN.narrow(1, 0, 1)).toBeAllClose(cAlone, { rtol: 1e-6, atol: 1e-7 });
  });
});
