/**
 * @file The kernels' scratch space in linear memory, above the module's own pack buffers: operands are copied
 * in, the product is copied out. One region serves every call and only grows (to the largest product seen so
 * far), so repeated calls neither leak nor reallocate.
 */
import type { Kernels } from './loader.js';
import type { WasmMemory } from './webassembly.js';

const pageBytes = 65536;

let view: Float32Array | null = null;

/**
 * A float32 view of all of linear memory with at least `bytes` free above heapBase, or null if the engine
 * cannot grow memory that far (the caller then falls back to the portable kernel). Growth at least doubles:
 * every grow detaches the old ArrayBuffer, and V8 then slows typed-array access process-wide a little (it
 * drops an optimisation that assumed no buffer was ever detached), so grows should be few.
 */
export function reserveScratch(kernels: Kernels, bytes: number): Float32Array | null {
  const { memory, heapBase } = kernels.exports;
  const have = memory.buffer.byteLength;
  const missing = heapBase() + bytes - have;
  if (missing > 0) {
    const pages = Math.ceil(missing / pageBytes);
    if (!tryGrow(memory, Math.max(pages, have / pageBytes)) && !tryGrow(memory, pages)) return null;
  }
  if (view?.buffer !== memory.buffer) view = new Float32Array(memory.buffer);
  return view;
}

function tryGrow(memory: WasmMemory, pages: number): boolean {
  try {
    memory.grow(pages);
    return true;
  } catch {
    return false;
  }
}
