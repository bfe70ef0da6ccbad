/**
 * @file Adam's float32 update on the WebAssembly SIMD kernel (assembly/adam.ts), for optimizers: bit for bit the
 * result of @tensorloom/optim's scalar loop, about three times faster, since its float32 roundings and divisions
 * run four lanes at a time. The arrays stay JS-owned: each chunk of CHUNK parameters is copied into linear
 * memory and back (memcpy, a tenth of the kernel's time), so the buffers stay in cache between the copies.
 */
import { directRegion } from './direct.js';

/** Parameters per round trip: four 64 KB buffers. */
const CHUNK = 16384;

/** Adam's per-step scalars, each already rounded to float32 (as the optimizer rounds them). */
export interface AdamScalars {
  beta1: number;
  /** 1 − β₁. */
  oneMinusBeta1: number;
  beta2: number;
  /** 1 − β₂. */
  oneMinusBeta2: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
  eps: number;
  /** −lr / (1 − β₁ᵗ). */
  negStepSize: number;
}

/**
 * One Adam step in place on float32 arrays of equal length: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * θ ← θ − stepSize·m / (√v / √(1 − β₂ᵗ) + ε), each op rounded to float32 as PyTorch's single-tensor Adam.
 * Runs only while the `wasm` backend is selected and its kernels load; returns false otherwise (nothing is
 * written), and the caller runs its own loop.
 * @example if (!fusedAdam_(theta, grad, m, v, scalars)) adamLoop(theta, grad, m, v, scalars);
 */
export function fusedAdam_(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  s: AdamScalars,
): boolean {
  const n = param.length;
  if (grad.length !== n || expAvg.length !== n || expAvgSq.length !== n) return false;
  const chunk = Math.min(CHUNK, n);
  const region = directRegion(4 * chunk * 4);
  if (!region) return false;
  const { exports, scratch, base } = region;
  const at = [0, 1, 2, 3].map((k) => base + k * chunk * 4);
  const { floats } = scratch;
  const [p, g, m, v] = at.map((bytes) => bytes / 4);
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const length = end - start;
    floats.set(param.subarray(start, end), p);
    floats.set(grad.subarray(start, end), g);
    floats.set(expAvg.subarray(start, end), m);
    floats.set(expAvgSq.subarray(start, end), v);
    exports.adam(
      length,
      at[0],
      at[1],
      at[2],
      at[3],
      s.beta1,
      s.oneMinusBeta1,
      s.beta2,
      s.oneMinusBeta2,
      s.biasCorrection2Sqrt,
      s.eps,
      s.negStepSize,
    );
    param.set(floats.subarray(p, p + length), start);
    expAvg.set(floats.subarray(m, m + length), start);
    expAvgSq.set(floats.subarray(v, v + length), start);
  }
  return true;
}
