/** @file The portable backend: plain TypeScript kernels, the reference every faster backend is tested against. */
import type { Backend } from '../backend.js';
import { batchedMatmul } from './batched-matmul.js';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward } from './cross-entropy.js';
import { binary, copy, unary, where } from './elementwise.js';
import { gather, scatterAdd } from './indexing.js';
import { layerNorm, layerNormBackward } from './layer-norm.js';
import { linear } from './linear.js';
import { lstmSequenceBackwardOn, lstmSequenceOn } from './lstm-sequence.js';
import { reduce } from './reduce.js';
import { gruCellGates, gruCellGatesBackward, lstmCellGates, lstmCellGatesBackward } from './rnn-gates.js';
import { softmax, softmaxBackward } from './softmax.js';

export const jsBackend: Backend = {
  name: 'js',
  copy,
  unary,
  binary,
  where,
  reduce,
  softmax,
  softmaxBackward,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  layerNorm,
  layerNormBackward,
  lstmCellGates,
  lstmCellGatesBackward,
  lstmSequence: (...args) => lstmSequenceOn(jsBackend, ...args),
  lstmSequenceBackward: (...args) => lstmSequenceBackwardOn(jsBackend, ...args),
  gruCellGates,
  gruCellGatesBackward,
  matmul: batchedMatmul,
  linear,
  gather,
  scatterAdd,
};
