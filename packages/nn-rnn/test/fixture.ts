/**
 * @file The PyTorch reference fixture (fixtures/rnn.json, written by tools/reference/generate_rnn.py; format in
 * tools/reference/README.md) and helpers to rebuild its modules and compare tensors with it.
 */
import { readFileSync } from 'node:fs';
import type { Module } from '@tensorloom/nn';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@tensorloom/nn-rnn';
import { type Tensor, tensor } from '@tensorloom/tensor';
import { expect } from 'vitest';

export const RTOL = 1e-4;
export const ATOL = 1e-5;

export interface TensorSpec {
  shape: number[];
  dtype?: 'float32' | 'int32';
  data: number[];
}

/** A Tensorloom constructor call: the class and its options by their Tensorloom names. */
export type ModuleSpec =
  | { type: 'RNNCell'; inputSize: number; hiddenSize: number; bias?: boolean; nonlinearity?: 'tanh' | 'relu' }
  | { type: 'LSTMCell' | 'GRUCell'; inputSize: number; hiddenSize: number; bias?: boolean }
  | {
      type: 'RNN' | 'LSTM' | 'GRU';
      inputSize: number;
      hiddenSize: number;
      numLayers?: number;
      bias?: boolean;
      batchFirst?: boolean;
      dropout?: number;
      bidirectional?: boolean;
      nonlinearity?: 'tanh' | 'relu';
    };

export interface Case {
  name: string;
  module: ModuleSpec;
  /** list(module.state_dict().keys()), in PyTorch's order. */
  stateDictKeys: string[];
  stateDict: Record<string, TensorSpec>;
  input: TensorSpec;
  /** Initial states ([h] or [h, c]); null: the module starts from zeros. */
  state: TensorSpec[] | null;
  lengths: number[] | null;
  /** Cells: [h'] or [h', c']; layers: [output, hN] or [output, hN, cN]. */
  outputs: TensorSpec[];
  cotangents: TensorSpec[];
  /** d Σ_k sum(outputs[k] · cotangents[k]) / d input, / d initial states and / d parameter (by state-dict name). */
  grads: { input: TensorSpec; state: TensorSpec[] | null; params: Record<string, TensorSpec> };
}

export const fixtures = JSON.parse(readFileSync(new URL('./fixtures/rnn.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};

export function buildModule(spec: ModuleSpec): Module {
  switch (spec.type) {
    case 'RNNCell':
      return new RNNCell(spec.inputSize, spec.hiddenSize, {
        bias: spec.bias,
        nonlinearity: spec.nonlinearity,
      });
    case 'LSTMCell':
      return new LSTMCell(spec.inputSize, spec.hiddenSize, { bias: spec.bias });
    case 'GRUCell':
      return new GRUCell(spec.inputSize, spec.hiddenSize, { bias: spec.bias });
    case 'RNN':
      return new RNN(spec);
    case 'LSTM':
      return new LSTM(spec);
    case 'GRU':
      return new GRU(spec);
  }
}

/** Runs any fixture module the way the generator ran the torch one; returns its outputs in the fixture's order. */
export function runModule(
  module: Module,
  type: ModuleSpec['type'],
  x: Tensor,
  state: Tensor[] | null,
  lengths: number[] | null,
): Tensor[] {
  const options = { lengths };
  switch (type) {
    case 'RNNCell':
    case 'GRUCell':
      return [(module as RNNCell | GRUCell).forward(x, state?.[0])];
    case 'LSTMCell':
      return (module as LSTMCell).forward(x, state ? [state[0], state[1]] : null);
    case 'RNN':
    case 'GRU': {
      const [output, hN] = (module as RNN | GRU).forward(x, state?.[0], options);
      return [output, hN];
    }
    case 'LSTM': {
      const [output, [hN, cN]] = (module as LSTM).forward(x, state ? [state[0], state[1]] : null, options);
      return [output, hN, cN];
    }
  }
}

export function fromSpec(spec: TensorSpec, requiresGrad = false): Tensor {
  return tensor(spec.data, { shape: spec.shape, dtype: spec.dtype ?? 'float32', requiresGrad });
}

export function expectMatches(actual: Tensor | null, expected: TensorSpec, what: string): void {
  expect(actual, `${what}: missing`).not.toBeNull();
  const t = actual as Tensor;
  expect([...t.shape], `${what}: shape`).toEqual(expected.shape);
  expect(t.dataSync(), what).toBeAllClose(expected.data, { rtol: RTOL, atol: ATOL });
}
