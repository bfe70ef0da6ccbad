/**
 * @file Scratch for the kernels that optimizers and generators call directly, outside the Backend interface
 * (Adam, gradient clipping, dropout masks): only while the `wasm` backend is selected, so that `js` stays the
 * pure reference, and above the control block when the kernels run on the shared memory.
 */
import { getBackend } from '../registry.js';
import { type KernelExports, loadKernels } from './loader.js';
import { reserveScratch, type Scratch } from './scratch.js';
import { CONTROL_BYTES } from './threads/control.js';

export interface DirectRegion {
  readonly exports: KernelExports;
  readonly scratch: Scratch;
  /** Byte address of the first of the reserved bytes (16-byte aligned). */
  readonly base: number;
}

/**
 * The kernels and `bytes` of linear memory from `base`; null unless the `wasm` backend is selected, its kernels
 * load and memory can grow that far (the caller then runs its own loop).
 */
export function directRegion(bytes: number): DirectRegion | null {
  if (getBackend().name !== 'wasm') return null;
  const kernels = loadKernels();
  if (!kernels) return null;
  const { exports } = kernels;
  const heapBase = exports.heapBase();
  const base = heapBase + (kernels.shared ? CONTROL_BYTES : 0);
  const scratch = reserveScratch(kernels, base + bytes - heapBase);
  return scratch && { exports, scratch, base };
}
