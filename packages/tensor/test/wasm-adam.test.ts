/**
 * fusedAdam_, the wasm backend's Adam kernel, against the scalar loop it replaces in @tensorloom/optim (replayed
 * here): every bit of the parameters and both moments, over several chunks and a ragged tail, with zeros, huge,
 * tiny (subnormal) and non-finite values; and it declines (writes nothing) where it does not apply.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadKernels } from '../src/backend/wasm/loader.js';
import { type AdamScalars, fusedAdam_, getBackend, setBackend } from '../src/index.js';

const fr = Math.fround;

/** optim's scalar Adam loop (src/kernels.ts), the reference. */
function adamLoop(
  param: Float32Array,
  grad: Float32Array,
  m0: Float32Array,
  v0: Float32Array,
  s: AdamScalars,
) {
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const m = fr(fr(m0[i] * s.beta1) + s.oneMinusBeta1 * g);
    const v = fr(fr(v0[i] * s.beta2) + fr(g * s.oneMinusBeta2) * g);
    m0[i] = m;
    v0[i] = v;
    const denom = fr(fr(fr(Math.sqrt(v)) / s.biasCorrection2Sqrt) + s.eps);
    param[i] = fr(param[i] + fr(fr(m * s.negStepSize) / denom));
  }
}

/** Deterministic values spread over many magnitudes, with edge values mixed in. */
function values(n: number, seed: number, nonNegative = false): Float32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const edges = [0, -0, 1e-45, 3e-39, 1e-20, 1e20, 3e38, Number.NaN, Number.POSITIVE_INFINITY];
  return Float32Array.from({ length: n }, (_, i) => {
    const x =
      i % 97 === 0 ? edges[(i / 97) % edges.length] : (next() - 0.5) * 10 ** Math.floor(next() * 12 - 8);
    return nonNegative ? Math.abs(x) : x;
  });
}

const scalars = (t: number, lr: number, beta1: number, beta2: number, eps: number): AdamScalars => ({
  beta1: fr(beta1),
  oneMinusBeta1: fr(1 - beta1),
  beta2: fr(beta2),
  oneMinusBeta2: fr(1 - beta2),
  biasCorrection2Sqrt: fr(Math.sqrt(1 - beta2 ** t)),
  eps: fr(eps),
  negStepSize: fr(-lr / (1 - beta1 ** t)),
});

/** Indices where two arrays differ as values (±0 differ, NaN equals NaN). */
const differences = (a: Float32Array, b: Float32Array) =>
  Array.from(a.keys()).filter((i) => !Object.is(a[i], b[i]));

describe.skipIf(loadKernels() === null)('fusedAdam_ (wasm Adam kernel)', () => {
  const original = getBackend().name;
  afterEach(() => setBackend(original));

  it('matches the scalar loop bit for bit over chunks, a ragged tail and edge values', () => {
    setBackend('wasm');
    for (const [n, s] of [
      [40_003, scalars(1, 1e-3, 0.9, 0.999, 1e-8)],
      [7, scalars(57, 0.3, 0.5, 0.75, 1e-3)],
      [16_384, scalars(3, 2e-2, 0.0, 0.0, 0)],
    ] as const) {
      const arrays = [values(n, 1), values(n, 2), values(n, 3), values(n, 4, true)];
      const want = arrays.map((a) => a.slice());
      const got = arrays.map((a) => a.slice());
      adamLoop(want[0], want[1], want[2], want[3], s);
      expect(fusedAdam_(got[0], got[1], got[2], got[3], s)).toBe(true);
      for (const k of [0, 2, 3]) expect(differences(got[k], want[k])).toEqual([]);
      expect(differences(got[1], arrays[1])).toEqual([]); // the gradient is read only
    }
  });

  it('declines, writing nothing, on another backend or with arrays of different lengths', () => {
    const s = scalars(1, 1e-3, 0.9, 0.999, 1e-8);
    const make = () => [values(8, 5), values(8, 6), values(8, 7), values(8, 8, true)];
    setBackend('js');
    const js = make();
    expect(fusedAdam_(js[0], js[1], js[2], js[3], s)).toBe(false);
    expect(js).toEqual(make());
    setBackend('wasm');
    const [p, g, m, v] = make();
    expect(fusedAdam_(p, g.subarray(1), m, v, s)).toBe(false);
    expect([p, m, v]).toEqual([make()[0], make()[2], make()[3]]);
  });
});
