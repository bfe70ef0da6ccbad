/**
 * Cross-language checks against files written by tools/reference/generate_safetensors.py (PyTorch's state dicts,
 * laid out from the spec): Tensorloom reads PyTorch's weights exactly and reproduces its outputs, and writes the
 * same bytes as the Python writer. The other direction, Python reading Tensorloom's output, is checked with
 * tools/reference/read_safetensors.py on the file the last test writes (see tools/reference/README.md).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Embedding,
  LayerNorm,
  Linear,
  parseSafetensors,
  ReLU,
  Sequential,
  serializeSafetensors,
} from '@tensorloom/nn';
import { manualSeed, randn, type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const json = (name: string) => JSON.parse(fixture(name).toString('utf8'));

type Value = number | 'NaN' | 'Infinity' | '-Infinity';
interface Described {
  dtype?: string;
  shape: number[];
  data: Value[];
}

const decode = (data: Value[]) => data.map((x) => (typeof x === 'string' ? Number(x) : x));
/** Compared with Object.is by toEqual: exact, NaN matches NaN, -0 does not match 0. */
const values = (t: Tensor) => Array.from(t.dataSync(), Number);
const asTensor = ({ shape, data }: Described, dtype: 'float32' | 'int32' = 'float32') =>
  tensor(decode(data), { dtype, shape });

/** The state dict entries under `prefix.`, with the prefix removed. */
function under(prefix: string, stateDict: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(stateDict)
      .filter(([key]) => key.startsWith(`${prefix}.`))
      .map(([key, value]) => [key.slice(prefix.length + 1), value]),
  );
}

describe('PyTorch → Tensorloom', () => {
  const reference = json('torch-mlp.json');
  const { tensors, metadata } = parseSafetensors(fixture('torch-mlp.safetensors'));

  it('reads a PyTorch state dict: keys, shapes and exact float32 values', () => {
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(reference.stateDict).sort());
    expect(Object.keys(tensors).sort()).toEqual([
      'emb.weight',
      'mlp.0.bias',
      'mlp.0.weight',
      'mlp.2.bias',
      'mlp.2.weight',
      'norm.bias',
      'norm.weight',
    ]);
    expect(metadata).toEqual({ format: 'pt' });
    for (const [name, expected] of Object.entries<Described>(reference.stateDict)) {
      expect(tensors[name].dtype).toBe('float32');
      expect(tensors[name].shape).toEqual(expected.shape);
      expect(values(tensors[name])).toEqual(decode(expected.data));
    }
    expect(tensors['emb.weight'].select(0, 0).toArray()).toEqual([0, 0, 0, 0]); // padding_idx=0 row
  });

  it('loads the weights into Tensorloom layers and reproduces PyTorch’s outputs', () => {
    const mlp = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const norm = new LayerNorm(3);
    const emb = new Embedding(10, 4, { paddingIdx: 0 });
    mlp.loadStateDict(under('mlp', tensors), { strict: true });
    norm.loadStateDict(under('norm', tensors), { strict: true });
    emb.loadStateDict(under('emb', tensors), { strict: true });

    const { inputs, outputs } = reference;
    expect(mlp.forward(asTensor(inputs.mlp))).toBeAllClose(asTensor(outputs.mlp), { rtol: 1e-5, atol: 1e-6 });
    expect(norm.forward(asTensor(inputs.norm))).toBeAllClose(asTensor(outputs.norm), {
      rtol: 1e-5,
      atol: 1e-6,
    });
    const embedded = emb.forward(asTensor(inputs.emb, 'int32'));
    expect(embedded.shape).toEqual(outputs.emb.shape);
    expect(values(embedded)).toEqual(decode(outputs.emb.data)); // a lookup: exact
  });

  it('reads every dtype PyTorch writes that Tensorloom supports, widening exactly', () => {
    const expected: Record<string, Described> = json('torch-dtypes.json').tensors;
    const { tensors: read } = parseSafetensors(fixture('torch-dtypes.safetensors'));
    const target: Record<string, string> = {
      F64: 'float64',
      F32: 'float32',
      F16: 'float32',
      BF16: 'float32',
      I64: 'int32',
      I32: 'int32',
      I16: 'int32',
      I8: 'int32',
      U8: 'int32',
      BOOL: 'bool',
    };
    expect(Object.keys(read).sort()).toEqual(Object.keys(expected).sort());
    expect(new Set(Object.values(expected).map((e) => e.dtype))).toEqual(new Set(Object.keys(target)));
    for (const [name, e] of Object.entries(expected)) {
      expect([name, read[name].dtype, read[name].shape]).toEqual([name, target[e.dtype as string], e.shape]);
      expect(values(read[name])).toEqual(decode(e.data));
    }
  });
});

describe('Tensorloom → bytes that other implementations write', () => {
  it('writes byte-for-byte what the Python writer wrote for the same tensors (golden.safetensors)', () => {
    // The same tensors and metadata as GOLDEN in tools/reference/generate_safetensors.py.
    const golden: Record<string, Tensor> = {
      weight: tensor([0.1, -2.5, 3.25, Infinity, -0, 1e-45], { dtype: 'float32', shape: [2, 3] }),
      bias: tensor([0.1, -1e300, 5e-324], { dtype: 'float64', shape: [3] }),
      scalar: tensor([3.5], { dtype: 'float64', shape: [] }),
      empty: tensor([], { dtype: 'float32', shape: [0, 3] }),
      'layers.10.w': tensor([10], { dtype: 'float32', shape: [1] }),
      'layers.2.w': tensor([2], { dtype: 'float32', shape: [1] }),
      ids: tensor([-(2 ** 31), 2 ** 31 - 1, 0, -1], { dtype: 'int32', shape: [2, 2] }),
      'émbed\t"q"': tensor([7], { dtype: 'int32', shape: [1] }),
      mask: tensor([true, false, false, true], { dtype: 'bool', shape: [4] }),
      'z\ufffd': tensor([true], { dtype: 'bool', shape: [1] }),
      'z😀': tensor([false], { dtype: 'bool', shape: [1] }),
    };
    const metadata = {
      format: 'pt',
      note: 'tensorloom golden ✓',
      'a"key': 'line1\nline2',
      '1': 'numeric-looking key',
    };
    const expected = new Uint8Array(fixture('golden.safetensors'));
    expect(Buffer.from(serializeSafetensors(golden, metadata)).toString('hex')).toBe(
      Buffer.from(expected).toString('hex'),
    );
    // …and reads it back to the same tensors.
    const { tensors, metadata: read } = parseSafetensors(expected);
    expect(read).toEqual(metadata);
    for (const [name, t] of Object.entries(golden)) {
      expect([name, tensors[name].dtype, tensors[name].shape]).toEqual([name, t.dtype, t.shape]);
      expect(values(tensors[name])).toEqual(values(t));
    }
  });
});

describe('Tensorloom → Python', () => {
  /**
   * Writes tensorloom-written.safetensors and, next to it, tensorloom-written.expected.json: what
   * `read_safetensors.py` must print for it (name, dtype, shape and SHA-256 of each tensor's bytes, computed
   * here from the tensors, not from the file). Set TENSORLOOM_INTEROP_DIR to keep both for the Python check.
   */
  it('writes a file whose tensor bytes are the tensors’ little-endian, row-major values', () => {
    manualSeed(7);
    const linear = randn([8, 4]);
    const stateDict: Record<string, Tensor> = {
      'encoder.weight': linear,
      'encoder.weight_t': linear.t(), // a view: written by value
      'encoder.bias': randn([8], { dtype: 'float64' }),
      step: tensor(1000, { dtype: 'int32' }),
      'vocab.ids': tensor([3, -1, 2 ** 31 - 1], { dtype: 'int32' }),
      'attn.mask': tensor([true, false, true, true, false, false], { dtype: 'bool', shape: [2, 3] }),
      'cache.empty': tensor([], { dtype: 'float32', shape: [0, 4] }),
    };
    const metadata = { format: 'tensorloom', epoch: '3' };
    const bytes = serializeSafetensors(stateDict, metadata);

    const sha256 = (t: Tensor) => {
      const data = t.dataSync();
      return createHash('sha256')
        .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
        .digest('hex');
    };
    const dtypes: Record<string, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
    const names = Object.keys(stateDict).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const expected = {
      metadata,
      tensors: names.map((name) => ({
        name,
        dtype: dtypes[stateDict[name].dtype],
        shape: stateDict[name].shape,
        sha256: sha256(stateDict[name]),
      })),
    };
    // The file read back gives the same digests.
    const { tensors } = parseSafetensors(bytes);
    expect(names.map((name) => sha256(tensors[name]))).toEqual(expected.tensors.map((t) => t.sha256));

    const keep = process.env.TENSORLOOM_INTEROP_DIR;
    const dir = keep ?? mkdtempSync(join(tmpdir(), 'tensorloom-safetensors-'));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'tensorloom-written.safetensors'), bytes);
      writeFileSync(join(dir, 'tensorloom-written.expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
      expect(readFileSync(join(dir, 'tensorloom-written.safetensors')).equals(bytes)).toBe(true);
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  });
});
