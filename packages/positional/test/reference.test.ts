/**
 * @file The PyTorch reference (fixtures/positional.json, written by tools/reference/generate_positional.py; format
 * in tools/reference/README.md): sinusoidal tables from the PyTorch tutorial's construction, and rotary
 * embeddings from Hugging Face's rotate_half (half convention) and Meta LLaMA's complex products (interleaved).
 */
import { readFileSync } from 'node:fs';
import { RotaryEmbedding, SinusoidalPositionalEncoding, sinusoidalTable } from '@tensorloom/positional';
import { type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const RTOL = 1e-4;
const ATOL = 1e-5;

interface TensorSpec {
  shape: number[];
  dtype?: 'float32';
  data: number[];
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/positional.json', import.meta.url), 'utf8')) as {
  sinusoidal: { name: string; length: number; d: number; base: number; table: TensorSpec }[];
  rotary: {
    name: string;
    dim: number;
    base: number;
    interleaved: boolean;
    offset: number;
    q: TensorSpec;
    k: TensorSpec;
    outputs: [TensorSpec, TensorSpec];
  }[];
};

const fromSpec = (spec: TensorSpec): Tensor => tensor(spec.data, { shape: spec.shape, dtype: 'float32' });

function expectMatches(actual: Tensor, expected: TensorSpec): void {
  expect([...actual.shape]).toEqual(expected.shape);
  expect(actual.dataSync()).toBeAllClose(expected.data, { rtol: RTOL, atol: ATOL });
}

describe('sinusoidal tables against PyTorch', () => {
  it('covers even and odd widths', () => {
    expect(fixtures.sinusoidal.map((c) => [c.length, c.d])).toEqual(
      expect.arrayContaining([
        [7, 6],
        [5, 5],
      ]),
    );
  });

  for (const c of fixtures.sinusoidal) {
    it(c.name, () => {
      expectMatches(sinusoidalTable(c.length, c.d, { base: c.base }), c.table);
      expectMatches(sinusoidalTable(c.length, c.d, { base: c.base, dtype: 'float64' }), c.table);
      // The module adds the same table: on zeros it returns it (maxLen below the length: it extends).
      const posEnc = new SinusoidalPositionalEncoding({ dModel: c.d, maxLen: 2, base: c.base });
      expectMatches(
        posEnc.forward(tensor(new Float32Array(c.length * c.d), { shape: [c.length, c.d] })),
        c.table,
      );
    });
  }
});

describe('rotary embeddings against PyTorch', () => {
  it('covers both conventions', () => {
    expect(new Set(fixtures.rotary.map((c) => c.interleaved))).toEqual(new Set([false, true]));
  });

  for (const c of fixtures.rotary) {
    it(c.name, () => {
      const rope = new RotaryEmbedding({ dim: c.dim, base: c.base, interleaved: c.interleaved });
      const [q, k] = rope.apply(fromSpec(c.q), fromSpec(c.k), { offset: c.offset });
      expectMatches(q, c.outputs[0]);
      expectMatches(k, c.outputs[1]);
      // float64 gives the same values, with the float64 tables.
      const [q64] = rope.apply(fromSpec(c.q).double(), fromSpec(c.k).double(), { offset: c.offset });
      expect(q64.dtype).toBe('float64');
      expectMatches(q64, c.outputs[0]);
    });
  }
});
