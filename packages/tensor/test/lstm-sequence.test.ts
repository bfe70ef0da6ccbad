/**
 * lstmSequence, an LSTM layer's time loop as one primitive: the same outputs and gradients (to gx, h0, c0,
 * W_hh and the bias) as the loop composed step by step from matmul, lstmCellGates and where — what nn-rnn ran before, itself
 * checked against PyTorch's nn.LSTM — forwards and in reverse, with unsorted lengths, strided inputs, one step,
 * one row and hidden sizes that are not a multiple of 4; float64 finite differences; and clear errors.
 */
import {
  cat,
  Generator,
  gradcheck,
  lstmCellGates,
  lstmSequence,
  noGrad,
  randn,
  stack,
  type Tensor,
  tensor,
  where,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import type { StridedArray } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import type { StepKernels } from '../src/backend/js/lstm-sequence.js';
import { wasmLstmSequence, wasmLstmSequenceBackward } from '../src/backend/wasm/lstm-sequence.js';

type DType = 'float32' | 'float64';

function rnd(shape: number[], seed: number, dtype: DType = 'float32', scale = 1): Tensor {
  const values = randn(shape, { dtype, generator: new Generator(seed) }).mul(scale);
  return values.detach().requiresGrad_();
}

/** The step-by-step loop with the same semantics (nn-rnn's scan before this primitive), as [T, B, 2H]. */
function composed(
  gx: Tensor,
  h0: Tensor,
  c0: Tensor,
  w: Tensor,
  bias: Tensor | null,
  reverse: boolean,
  lengths: readonly number[] | null,
) {
  const [steps, batch] = gx.shape;
  const hidden = h0.shape[1];
  const states = new Array<Tensor>(steps);
  let [h, c] = [h0, c0];
  for (let k = 0; k < steps; k++) {
    const t = reverse ? steps - 1 - k : k;
    const gates = gx.select(0, t).add(h.matmul(w.t())); // [B, 4H]
    const hc = lstmCellGates(bias ? gates.add(bias) : gates, c); // [B, 2H]
    let [hNext, cNext] = [hc.narrow(1, 0, hidden), hc.narrow(1, hidden, hidden)];
    if (lengths) {
      const real = tensor(
        lengths.map((length) => t < length),
        { shape: [batch, 1], dtype: 'bool' },
      );
      [hNext, cNext] = [where(real, hNext, h), where(real, cNext, c)];
    }
    [h, c] = [hNext, cNext];
    states[t] = cat([hNext, cNext], 1); // [B, 2H]
  }
  return stack(states, 0); // [T, B, 2H]
}

interface Case {
  name: string;
  /** Whether a [4H] bias is passed. */
  bias?: boolean;
  steps: number;
  batch: number;
  hidden: number;
  reverse: boolean;
  lengths: number[] | null;
}

const cases: Case[] = [
  { name: 'forward', steps: 5, batch: 3, hidden: 8, reverse: false, lengths: null },
  { name: 'reverse', steps: 5, batch: 3, hidden: 8, reverse: true, lengths: null },
  {
    name: 'unsorted lengths, bias',
    steps: 6,
    batch: 4,
    hidden: 8,
    reverse: false,
    lengths: [6, 2, 4, 1],
    bias: true,
  },
  { name: 'unsorted lengths, reverse', steps: 6, batch: 4, hidden: 8, reverse: true, lengths: [3, 6, 1, 5] },
  { name: 'one step, one row', steps: 1, batch: 1, hidden: 4, reverse: false, lengths: null },
  {
    name: 'hidden 3 (not a multiple of 4), bias',
    steps: 4,
    batch: 2,
    hidden: 3,
    reverse: true,
    lengths: [2, 4],
    bias: true,
  },
];

function inputs(c: Case, dtype: DType, seed: number) {
  return {
    gx: rnd([c.steps, c.batch, 4 * c.hidden], seed, dtype),
    h0: rnd([c.batch, c.hidden], seed + 1, dtype, 0.5),
    c0: rnd([c.batch, c.hidden], seed + 2, dtype, 0.5),
    w: rnd([4 * c.hidden, c.hidden], seed + 3, dtype, 0.4),
    ...(c.bias ? { bias: rnd([4 * c.hidden], seed + 4, dtype, 0.5) } : {}),
  };
}

describe('lstmSequence', () => {
  it.each(cases)('$name: outputs and every gradient match the step-by-step loop', (c) => {
    const x = inputs(c, 'float32', 10);
    const options = { reverse: c.reverse, lengths: c.lengths, bias: x.bias };
    const fused = lstmSequence(x.gx, x.h0, x.c0, x.w, options);
    const loop = composed(x.gx, x.h0, x.c0, x.w, x.bias ?? null, c.reverse, c.lengths);
    expect(fused.shape).toEqual([c.steps, c.batch, 2 * c.hidden]);
    expect(fused).toBeAllClose(loop, { rtol: 1e-5, atol: 1e-6 });
    const weights = rnd([...fused.shape], 99).detach();
    const grads = (out: Tensor) => {
      for (const t of Object.values(x)) t.grad = null;
      out.mul(weights).sum().backward();
      return Object.values(x).map((t) => t.grad as Tensor);
    };
    const expected = grads(loop);
    const actual = grads(lstmSequence(x.gx, x.h0, x.c0, x.w, options));
    actual.forEach((g, i) => {
      expect(g).toBeAllClose(expected[i], { rtol: 1e-4, atol: 1e-5 });
    });
  });

  it('padded steps carry the state: the final state is the last real step, and gx gets no gradient there', () => {
    const c = cases[2];
    const x = inputs(c, 'float32', 20);
    const states = lstmSequence(x.gx, x.h0, x.c0, x.w, { lengths: c.lengths });
    const rows = states.dataSync();
    const width = 2 * c.hidden;
    const at = (t: number, b: number) =>
      Array.from(rows.subarray((t * c.batch + b) * width, (t * c.batch + b + 1) * width));
    c.lengths!.forEach((length, b) => {
      for (let t = length; t < c.steps; t++) expect(at(t, b)).toEqual(at(length - 1, b));
    });
    states.sum().backward();
    const dgx = x.gx.grad!.dataSync();
    c.lengths!.forEach((length, b) => {
      for (let t = length; t < c.steps; t++) {
        const start = (t * c.batch + b) * 4 * c.hidden;
        expect(Array.from(dgx.subarray(start, start + 4 * c.hidden)).every((v) => v === 0)).toBe(true);
      }
    });
  });

  it('under noGrad keeps no activations and gives the same states', () => {
    const c = cases[3];
    const x = inputs(c, 'float32', 25);
    const options = { reverse: c.reverse, lengths: c.lengths };
    const recorded = lstmSequence(x.gx, x.h0, x.c0, x.w, options);
    const plain = noGrad(() => lstmSequence(x.gx, x.h0, x.c0, x.w, options));
    expect(recorded.requiresGrad).toBe(true);
    expect(plain.requiresGrad).toBe(false);
    expect(Array.from(plain.dataSync())).toEqual(Array.from(recorded.dataSync()));
  });

  it('takes strided inputs: a batch-first gx seen time-major, transposed weights', () => {
    const c = cases[3];
    const x = inputs(c, 'float32', 30);
    const batchFirst = x.gx.detach().transpose(0, 1).contiguous().requiresGrad_(); // [B, T, 4H]
    const gx = batchFirst.transpose(0, 1); // [T, B, 4H], strided
    const w = x.w.detach().t().contiguous().requiresGrad_(); // [H, 4H]
    const options = { reverse: c.reverse, lengths: c.lengths };
    expect(lstmSequence(gx, x.h0, x.c0, w.t(), options)).toBeAllClose(
      lstmSequence(x.gx, x.h0, x.c0, x.w, options),
      { rtol: 1e-6, atol: 1e-7 },
    );
  });

  it.each(cases)('$name: float64 gradients match finite differences', (c) => {
    const x = inputs({ ...c, steps: Math.min(c.steps, 4) }, 'float64', 40);
    const lengths = c.lengths?.map((length) => Math.min(length, 4)) ?? null;
    const options = { reverse: c.reverse, lengths };
    const fn = (gx: Tensor, h0: Tensor, c0: Tensor, w: Tensor, bias?: Tensor) =>
      lstmSequence(gx, h0, c0, w, { ...options, bias });
    expect(gradcheck(fn, Object.values(x))).toBe(true);
  });

  it('rejects bad shapes, lengths and dtypes with the op and shapes named', () => {
    const x = inputs(cases[0], 'float32', 50);
    expect(() => lstmSequence(x.gx.select(0, 0), x.h0, x.c0, x.w)).toThrow(/lstmSequence: gx must be 3-D/);
    expect(() => lstmSequence(x.gx.narrow(2, 0, 30), x.h0, x.c0, x.w)).toThrow(/multiple of 4/);
    expect(() => lstmSequence(x.gx, x.h0.narrow(1, 0, 4), x.c0, x.w)).toThrow(
      /lstmSequence: h0 must be \[B, H\] = \[3,8\] for gx \[5,3,32\] \(got \[3,4\]\)/,
    );
    expect(() => lstmSequence(x.gx, x.h0, x.c0, x.w.t())).toThrow(/weightHh must be \[4H, H\] = \[32,8\]/);
    expect(() => lstmSequence(x.gx, x.h0, x.c0, x.w, { lengths: [5, 5] })).toThrow(/one entry per batch row/);
    expect(() => lstmSequence(x.gx, x.h0, x.c0, x.w, { lengths: [5, 0, 5] })).toThrow(/lengths\[1\] = 0/);
    expect(() => lstmSequence(x.gx, x.h0, x.c0, x.w, { lengths: [5, 6, 5] })).toThrow(/lengths\[1\] = 6/);
    expect(() => lstmSequence(x.gx.gt(0), x.h0, x.c0, x.w)).toThrow(/gx must be a float or int32 tensor/);
    expect(() => lstmSequence(x.gx, x.h0, x.c0, x.w, { bias: x.h0.select(0, 0) })).toThrow(
      /lstmSequence: bias must be \[4H\] = \[32\] for gx \[5,3,32\] \(got \[8\]\)/,
    );
  });
});

describe('lstmSequence on the wasm kernels', () => {
  /** Fails the test if the wasm loop falls back to the step kernels. */
  const noFallback = new Proxy({} as StepKernels, {
    get: () => () => {
      throw new Error('fell back to the step kernels');
    },
  });
  const floats = (shape: number[], seed: number, scale = 1): StridedArray => {
    const data = Float32Array.from(
      randn(shape, { generator: new Generator(seed) })
        .mul(scale)
        .dataSync(),
    );
    const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, s) => p * s, 1));
    return { data, shape, strides, offset: 0 };
  };

  it.each(cases.filter((c) => c.hidden % 4 === 0))(
    '$name: the fused loop agrees with the portable one',
    (c) => {
      const { steps: T, batch: B, hidden: H, reverse } = c;
      const lengths = c.lengths ? Int32Array.from(c.lengths) : null;
      const gx = floats([T, B, 4 * H], 60);
      const h0 = floats([B, H], 61, 0.5);
      const c0 = floats([B, H], 62, 0.5);
      const w = floats([4 * H, H], 63, 0.4);
      const run = (wasm: boolean) => {
        const out = new Float32Array(T * B * 2 * H);
        const saved = new Float32Array(T * B * 5 * H);
        if (wasm) wasmLstmSequence(noFallback, gx, h0, c0, w, null, lengths, reverse, out, saved);
        else jsBackend.lstmSequence(gx, h0, c0, w, null, lengths, reverse, out, saved);
        const dOut = floats([T, B, 2 * H], 64);
        const [dGx, dh0, dc0] = [
          new Float32Array(T * B * 4 * H),
          new Float32Array(B * H),
          new Float32Array(B * H),
        ];
        if (wasm)
          wasmLstmSequenceBackward(noFallback, dOut, out, saved, c0, w, lengths, reverse, dGx, dh0, dc0);
        else jsBackend.lstmSequenceBackward(dOut, out, saved, c0, w, lengths, reverse, dGx, dh0, dc0);
        return [out, saved, dGx, dh0, dc0].map((x) => Array.from(x));
      };
      const [expected, actual] = [run(false), run(true)];
      actual.forEach((values, i) => {
        expect(values).toBeAllClose(expected[i], { rtol: 1e-4, atol: 1e-5 });
      });
    },
  );
});
