/** @file The shared-memory module's exports: everything in index.ts, plus the entry point of worker threads. */
export {
  adam,
  bernoulliMask,
  binary,
  heapBase,
  layerNorm,
  layerNormBackward,
  lstmCellGates,
  lstmCellGatesBackward,
  lstmSequenceRun,
  matmul,
  softmax,
  softmaxBackward,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  sumColumns,
  sumOfSquares,
  sumRows,
  unary,
  where,
  workBytes,
} from './index';
export { work } from './threads';
