/**
 * @file The single-threaded module's exports: the matmul, elementwise, softmax cross-entropy, layer norm, LSTM
 * gate, LSTM time loop, Adam, gradient-clipping and dropout-mask kernels, and the memory layout their caller needs.
 */
import { WORK_BYTES } from './tiles';

export { adam } from './adam';
export { bernoulliMask } from './bernoulli';
export { softmaxCrossEntropy, softmaxCrossEntropyBackward } from './cross-entropy';
export { binary, softmax, softmaxBackward, sumColumns, sumRows, unary, where } from './elementwise';
export { sumOfSquares } from './grad-clip';
export { layerNorm, layerNormBackward } from './layer-norm';
export { lstmCellGates, lstmCellGatesBackward } from './lstm-gates';
export { lstmSequenceRun } from './lstm-sequence';
export { matmul } from './matmul';

/** First byte free for the caller, 64-byte aligned (the module has no static data: this is just past zero). */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}

/** Bytes of the work region (pack buffers and edge tile) each thread passes to `matmul`. */
export function workBytes(): usize {
  return WORK_BYTES;
}
