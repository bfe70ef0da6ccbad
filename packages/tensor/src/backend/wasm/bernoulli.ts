/**
 * @file Dropout masks on the WebAssembly kernel (assembly/bernoulli.ts), for `Generator.fillBernoulli`: the same
 * draws in the same order as its JavaScript loop, so the same mask bit for bit and the same state after, 1.6×
 * as fast. The mask is written a chunk at a time into linear memory and copied out.
 */
import { directRegion } from './direct.js';

/** Elements per round trip: 64 KB. */
const CHUNK = 16384;

/**
 * Fills `out` with `value` (rounded to float32) where the next xoshiro128** draw from `state` (four int32 words,
 * updated in place) is below `threshold` (in [0, 2³²]), else +0. False (nothing written) unless the `wasm`
 * backend is selected and its kernels load; the caller then runs its own loop.
 */
export function fusedBernoulliMask(
  out: Float32Array,
  state: Int32Array,
  threshold: number,
  value: number,
): boolean {
  // [the generator's state, 16 bytes][one chunk of the mask]
  const region = directRegion(16 + Math.min(CHUNK, out.length) * 4);
  if (!region) return false;
  const { exports, scratch, base: stateAt } = region;
  const { floats, words } = scratch;
  const at = stateAt + 16;
  words.set(state, stateAt / 4);
  for (let start = 0; start < out.length; start += CHUNK) {
    const end = Math.min(out.length, start + CHUNK);
    exports.bernoulliMask(end - start, at, stateAt, threshold, value);
    out.set(floats.subarray(at / 4, at / 4 + end - start), start);
  }
  state.set(words.subarray(stateAt / 4, stateAt / 4 + 4));
  return true;
}
