/**
 * fusedSumOfSquares and fusedScale_, the wasm backend's gradient-clipping passes, against the scalar loops they
 * replace in @tensorloom/optim (replayed here): the same float64 sum bit for bit, and every scaled element, over
 * several chunks and ragged tails, with zeros, subnormal, huge and non-finite values; they decline elsewhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadKernels } from '../src/backend/wasm/loader.js';
import { fusedScale_, fusedSumOfSquares, getBackend, setBackend } from '../src/index.js';

/** optim's loop (src/clip.ts): four interleaved float64 partial sums. */
function sumOfSquaresLoop(x: Float32Array): number {
  const s = [0, 0, 0, 0];
  const whole = x.length - (x.length % 4);
  for (let i = 0; i < whole; i++) s[i % 4] += x[i] * x[i];
  for (let i = whole; i < x.length; i++) s[0] += x[i] * x[i];
  return s[0] + s[1] + (s[2] + s[3]);
}

/** Deterministic values over many magnitudes; with `edges`, zeros, subnormals and huge values mixed in. */
function values(n: number, seed: number, edges: readonly number[] = []): Float32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Float32Array.from({ length: n }, (_, i) =>
    edges.length > 0 && i % 89 === 0
      ? edges[(i / 89) % edges.length]
      : (next() - 0.5) * 10 ** Math.floor(next() * 12 - 6),
  );
}

const finiteEdges = [0, -0, 1e-45, 3e-39, 1e-20, 1e19, -3e18];
const differences = (a: Float32Array, b: Float32Array) =>
  Array.from(a.keys()).filter((i) => !Object.is(a[i], b[i]));

describe.skipIf(loadKernels() === null)('wasm gradient-clipping passes', () => {
  const original = getBackend().name;
  afterEach(() => setBackend(original));

  it('sums squares as the loop does, bit for bit, whatever the length', () => {
    setBackend('wasm');
    for (const n of [0, 1, 3, 4, 7, 16_384, 16_387, 50_001]) {
      const x = values(n, n + 1, finiteEdges);
      expect(fusedSumOfSquares(x), `n = ${n}`).toBe(sumOfSquaresLoop(x));
    }
    // The grouping counts: sums 2 and 3 each hold 2⁻⁵³ (half an ulp of 1), which survive only when added to
    // each other before they meet sum 0's 1; in the last chunk, and with the tail's square in sum 0.
    for (const offset of [0, 16_384]) {
      const x = new Float32Array(offset + 9);
      x[offset] = 1;
      for (const i of [2, 3, 6, 7]) x[offset + i] = 2 ** -27;
      x[offset + 8] = 2 ** -30;
      expect(fusedSumOfSquares(x), `offset ${offset}`).toBe(1 + 2 ** -52 + 2 ** -60);
      expect(sumOfSquaresLoop(x)).toBe(1 + 2 ** -52 + 2 ** -60);
    }
    expect(fusedSumOfSquares(Float32Array.of(3, Number.POSITIVE_INFINITY))).toBe(Number.POSITIVE_INFINITY);
    expect(fusedSumOfSquares(Float32Array.of(3, Number.NaN, 1))).toBeNaN();
  });

  it('scales in place with one float32 rounding per element, as the loop does', () => {
    setBackend('wasm');
    const edges = [...finiteEdges, Number.NaN, Number.POSITIVE_INFINITY, -3e38];
    for (const n of [1, 5, 16_384, 40_003]) {
      for (const factor of [0.3, 1 / 3, 1e-30, 7.5]) {
        const got = values(n, 7, edges);
        const want = got.slice();
        const f = Math.fround(factor);
        for (let i = 0; i < want.length; i++) want[i] *= f;
        expect(fusedScale_(got, factor)).toBe(true);
        expect(differences(got, want), `n = ${n}, factor ${factor}`).toEqual([]);
      }
    }
  });

  it('declines on another backend, writing nothing', () => {
    setBackend('js');
    const x = values(9, 3);
    expect(fusedSumOfSquares(x)).toBeNull();
    expect(fusedScale_(x, 0.5)).toBe(false);
    expect(x).toEqual(values(9, 3));
  });
});
