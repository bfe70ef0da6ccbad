/** @file Creates and registers the gate weights of a cell or of one layer-direction, with PyTorch's names and init. */
import { init } from '@tensorloom/nn';
import { type FloatDType, type Tensor, zeros } from '@tensorloom/tensor';
import type { GateWeights, Recurrence } from './recurrence.js';

/** Registers a parameter on the calling module (its protected `param`, passed as a closure). */
export type Register = (name: string, tensor: Tensor) => Tensor;

export interface WeightSpec {
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  dtype: FloatDType;
}

/**
 * `weight_ih{suffix}` [G·H, in], `weight_hh{suffix}` [G·H, H], then `bias_ih{suffix}`, `bias_hh{suffix}` [G·H]
 * (PyTorch's order), each ~ U(−1/√H, 1/√H) as PyTorch's reset_parameters draws them.
 */
export function registerGateWeights(
  register: Register,
  rec: Recurrence,
  spec: WeightSpec,
  suffix = '',
): GateWeights {
  const { inputSize, hiddenSize, bias, dtype } = spec;
  const rows = rec.gates * hiddenSize;
  const bound = 1 / Math.sqrt(hiddenSize);
  const uniform = (shape: number[]) => init.uniform_(zeros(shape, { dtype }), -bound, bound);
  return {
    weightIh: register(`weight_ih${suffix}`, uniform([rows, inputSize])),
    weightHh: register(`weight_hh${suffix}`, uniform([rows, hiddenSize])),
    biasIh: bias ? register(`bias_ih${suffix}`, uniform([rows])) : null,
    biasHh: bias ? register(`bias_hh${suffix}`, uniform([rows])) : null,
  };
}
