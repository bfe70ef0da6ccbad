/**
 * @file The PyTorch reference fixture (fixtures/attention.json, written by tools/reference/generate_attention.py;
 * format in tools/reference/README.md) and helpers to rebuild its modules and run them as PyTorch ran them.
 */
import { readFileSync } from 'node:fs';
import type { Module } from '@tensorloom/nn';
import {
  AdditiveAttention,
  LuongAttention,
  MultiheadAttention,
  scaledDotProductAttention,
  Transformer,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
} from '@tensorloom/nn-attention';
import { type Tensor, tensor } from '@tensorloom/tensor';
import { expect } from 'vitest';

export const RTOL = 1e-4;
export const ATOL = 1e-5;

export interface TensorSpec {
  shape: number[];
  dtype?: 'float32' | 'int32' | 'bool';
  data: (number | string)[];
}

export type Kind = 'additive' | 'luong' | 'sdpa' | 'mha' | 'encoderLayer' | 'decoderLayer' | 'transformer';

export interface Case {
  name: string;
  kind: Kind;
  /** The Tensorloom constructor's config (Tensorloom names); {} for sdpa. */
  config: Record<string, any>;
  stateDictKeys: string[];
  stateDict: Record<string, TensorSpec>;
  /** Float inputs by the forward argument's name (query, keys, q, k, v, src, tgt, memory, …). */
  inputs: Record<string, TensorSpec>;
  /** Masks by the Tensorloom option's name (mask, attnMask, keyPaddingMask, srcMask, tgtMask, …). */
  masks: Record<string, TensorSpec>;
  /** Other forward options: isCausal, needWeights, averageAttnWeights. */
  args: Record<string, boolean>;
  outputs: TensorSpec[];
  cotangents: TensorSpec[];
  grads: { inputs: Record<string, TensorSpec>; params: Record<string, TensorSpec> };
}

export const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/attention.json', import.meta.url), 'utf8'),
) as { torch: string; cases: Case[] };

/** JSON has no infinities: the fixture spells them as strings. */
function decode(value: number | string): number {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (value === 'NaN') return Number.NaN;
  throw new Error(`fixture: unexpected value ${value}`);
}

export function fromSpec(spec: TensorSpec, requiresGrad = false): Tensor {
  return tensor(spec.data.map(decode), { shape: spec.shape, dtype: spec.dtype ?? 'float32', requiresGrad });
}

export function buildModule(c: Case): Module | null {
  const config = c.config as any;
  switch (c.kind) {
    case 'additive':
      return new AdditiveAttention(config);
    case 'luong':
      return new LuongAttention(config);
    case 'sdpa':
      return null;
    case 'mha':
      return new MultiheadAttention(config);
    case 'encoderLayer':
      return new TransformerEncoderLayer(config);
    case 'decoderLayer':
      return new TransformerDecoderLayer(config);
    case 'transformer':
      return new Transformer(config);
  }
}

/** Runs a case's module (or function) the way the generator ran PyTorch's; returns the outputs in order. */
export function runCase(
  c: Case,
  module: Module | null,
  x: Record<string, Tensor>,
  masks: Record<string, Tensor>,
): Tensor[] {
  switch (c.kind) {
    case 'additive':
      return (module as AdditiveAttention).forward(x.query, x.keys, masks.mask ?? null);
    case 'luong':
      return (module as LuongAttention).forward(x.query, x.keys, masks.mask ?? null);
    case 'sdpa':
      return scaledDotProductAttention(x.q, x.k, x.v, {
        attnMask: masks.attnMask,
        isCausal: c.args.isCausal,
      }) as Tensor[];
    case 'mha': {
      const key = x.key ?? x.query;
      const value = x.value ?? key;
      const needWeights = c.args.needWeights ?? true;
      const [output, weights] = (module as MultiheadAttention).forward(x.query, key, value, {
        ...masks,
        needWeights,
        averageAttnWeights: c.args.averageAttnWeights,
      });
      return needWeights ? [output, weights as Tensor] : [output];
    }
    case 'encoderLayer':
      return [(module as TransformerEncoderLayer).forward(x.src, masks)];
    case 'decoderLayer':
      return [(module as TransformerDecoderLayer).forward(x.tgt, x.memory, masks)];
    case 'transformer':
      return [(module as Transformer).forward(x.src, x.tgt, masks)];
  }
}

export function expectMatches(actual: Tensor | null, expected: TensorSpec, what: string): void {
  expect(actual, `${what}: missing`).not.toBeNull();
  const t = actual as Tensor;
  expect([...t.shape], `${what}: shape`).toEqual(expected.shape);
  expect(t.dataSync(), what).toBeAllClose(expected.data.map(decode), { rtol: RTOL, atol: ATOL });
}
