/**
 * @file The WebAssembly backend: float32 matmul on a SIMD kernel (see assembly/), split across worker threads
 * when it is large (threads/); float32 elementwise ops, sums, softmax (and its backward), softmax cross-entropy, layer norm, the LSTM gates and an LSTM layer's whole
 * time loop (forward and backward) on other SIMD kernels; everything else — and float64 — on the portable kernels. Registered by default, and the
 * default backend where the engine runs WebAssembly SIMD (registry.ts).
 */
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { wasmSoftmaxCrossEntropy, wasmSoftmaxCrossEntropyBackward } from './cross-entropy.js';
import {
  wasmBinary,
  wasmReduce,
  wasmSoftmax,
  wasmSoftmaxBackward,
  wasmUnary,
  wasmWhere,
} from './elementwise.js';
import { wasmLayerNorm, wasmLayerNormBackward } from './layer-norm.js';
import { wasmLstmCellGates, wasmLstmCellGatesBackward } from './lstm-gates.js';
import { wasmLstmSequence, wasmLstmSequenceBackward } from './lstm-sequence.js';
import { wasmLinear, wasmMatmul } from './matmul.js';

export { initWasmBackend, type WasmVariant } from './loader.js';
export { getNumThreads, initThreads, setNumThreads } from './threads/pool.js';

export const wasmBackend: Backend = {
  ...jsBackend,
  name: 'wasm',
  unary: wasmUnary,
  binary: wasmBinary,
  where: wasmWhere,
  reduce: wasmReduce,
  softmax: wasmSoftmax,
  softmaxBackward: wasmSoftmaxBackward,
  softmaxCrossEntropy: wasmSoftmaxCrossEntropy,
  softmaxCrossEntropyBackward: wasmSoftmaxCrossEntropyBackward,
  layerNorm: wasmLayerNorm,
  layerNormBackward: wasmLayerNormBackward,
  matmul: wasmMatmul,
  linear: wasmLinear,
  lstmCellGates: wasmLstmCellGates,
  lstmCellGatesBackward: wasmLstmCellGatesBackward,
  lstmSequence: (...args) => wasmLstmSequence(wasmBackend, ...args),
  lstmSequenceBackward: (...args) => wasmLstmSequenceBackward(wasmBackend, ...args),
};
