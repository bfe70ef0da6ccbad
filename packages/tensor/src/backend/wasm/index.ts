/**
 * @file The WebAssembly backend: float32 matmul on a SIMD kernel (see assembly/), everything else — and float64
 * matmul — on the portable kernels. Not registered by default: `registerBackend(wasmBackend)` then
 * `setBackend('wasm')` selects it.
 */
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { wasmMatmul } from './matmul.js';

export { initWasmBackend, type WasmVariant } from './loader.js';

export const wasmBackend: Backend = { ...jsBackend, name: 'wasm', matmul: wasmMatmul };
