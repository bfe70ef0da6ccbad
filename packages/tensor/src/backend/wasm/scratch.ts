/**
 * @file The kernels' scratch space in linear memory, above heapBase: operands are copied in, the product is
 * copied out. One region per memory serves every call and only grows (to the largest product seen so far), so
 * repeated calls neither leak nor reallocate.
 */
import type { Kernels } from './loader.js';
import type { WasmMemory } from './webassembly.js';

const pageBytes = 65536;

/**
 * Views of all of linear memory: as floats (operands), 32-bit words (addresses for worker threads) and bytes
 * (boolean operands).
 */
export interface Scratch {
  readonly floats: Float32Array;
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
}

/** Views per memory (the calling thread's and the thread pool's), replaced when the memory grows. */
const views = new WeakMap<WasmMemory, Scratch>();

/**
 * Views of all of linear memory with at least `bytes` free above heapBase, or null if the engine cannot grow
 * memory that far (the caller then falls back to the portable kernel). Growth at least doubles: every grow
 * detaches an unshared memory's old ArrayBuffer, and V8 then slows typed-array access process-wide a little (it
 * drops an optimisation that assumed no buffer was ever detached), so grows should be few. A shared memory's
 * buffer is not detached, but `memory.buffer` is a new, longer object after a grow; the views follow it.
 */
export function reserveScratch(kernels: Kernels, bytes: number): Scratch | null {
  const { memory, heapBase } = kernels.exports;
  const have = memory.buffer.byteLength;
  const missing = heapBase() + bytes - have;
  if (missing > 0) {
    const pages = Math.ceil(missing / pageBytes);
    if (!tryGrow(memory, Math.max(pages, have / pageBytes)) && !tryGrow(memory, pages)) return null;
  }
  const buffer = memory.buffer;
  let scratch = views.get(memory);
  if (scratch?.floats.buffer !== buffer) {
    scratch = {
      floats: new Float32Array(buffer),
      words: new Int32Array(buffer),
      bytes: new Uint8Array(buffer),
    };
    views.set(memory, scratch);
  }
  return scratch;
}

function tryGrow(memory: WasmMemory, pages: number): boolean {
  try {
    memory.grow(pages);
    return true;
  } catch {
    return false;
  }
}
