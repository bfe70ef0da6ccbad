/**
 * @file Gradient clipping's passes on the WebAssembly SIMD kernels, for optimizers: a float32 array's sum of
 * squares (assembly/grad-clip.ts) and scaling it in place (the elementwise multiply), bit for bit what
 * @tensorloom/optim's scalar loops give.
 * As with Adam (adam.ts) the arrays stay JS-owned and go through linear memory a chunk at a time, so each chunk
 * is still in cache when the kernel reads it and when it is copied back.
 */
import { directRegion } from './direct.js';
import { BINARY_CODES } from './elementwise.js';

/** Elements per round trip: 64 KB, a multiple of 4 (the sum's partial sums need whole groups of four). */
const CHUNK = 16384;

/**
 * Σ xᵢ² in float64 over a float32 array, as optim's loop takes it: four partial sums (element i in sum i mod 4,
 * the tail in sum 0) added as s₀ + s₁ + (s₂ + s₃). Null (nothing computed) unless the `wasm` backend is
 * selected and its kernels load; the caller then runs its own loop.
 * @example const sum = fusedSumOfSquares(grad) ?? sumOfSquaresLoop(grad);
 */
export function fusedSumOfSquares(x: Float32Array): number | null {
  // [4 float64 partial sums][one chunk]
  const region = directRegion(32 + Math.min(CHUNK, x.length) * 4);
  if (!region) return null;
  const { exports, scratch, base: sums } = region;
  const { floats } = scratch;
  const at = sums + 32;
  new Float64Array(floats.buffer, sums, 4).fill(0);
  for (let start = 0; start < x.length; start += CHUNK) {
    const end = Math.min(x.length, start + CHUNK);
    floats.set(x.subarray(start, end), at / 4);
    exports.sumOfSquares(end - start, at, sums);
  }
  const [s0, s1, s2, s3] = new Float64Array(floats.buffer, sums, 4);
  return s0 + s1 + (s2 + s3);
}

/**
 * x ← x·factor in place on a float32 array, each product rounded once to float32 (`factor` is rounded to
 * float32 first, as a scalar meeting a float32 tensor). False (nothing written) unless the `wasm` backend is
 * selected and its kernels load.
 * @example if (!fusedScale_(grad, 0.5)) for (let i = 0; i < grad.length; i++) grad[i] *= 0.5;
 */
export function fusedScale_(x: Float32Array, factor: number): boolean {
  // [factor, padded to 16 bytes][one chunk]
  const region = directRegion(16 + Math.min(CHUNK, x.length) * 4);
  if (!region) return false;
  const { exports, scratch, base } = region;
  const { floats } = scratch;
  const at = base + 16;
  floats[base / 4] = factor; // rounded to float32 by the store
  for (let start = 0; start < x.length; start += CHUNK) {
    const end = Math.min(x.length, start + CHUNK);
    floats.set(x.subarray(start, end), at / 4);
    // the elementwise multiply over one row of end − start, the factor broadcast (strides 0), in place
    exports.binary(BINARY_CODES.mul!, 1, end - start, at, 0, 1, base, 0, 0, at);
    x.set(floats.subarray(at / 4, at / 4 + end - start), start);
  }
  return true;
}
