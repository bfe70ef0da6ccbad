/**
 * @file The sinusoidal encoding: the table against the formula in float64, odd widths, large positions; the
 * module's fixed (stateless) table, positions past maxLen, offsets, scaling, layouts, dropout and errors.
 */
import { ConfigError, SinusoidalPositionalEncoding, sinusoidalTable } from '@tensorloom/positional';
import { DTypeError, Generator, randn, ShapeError, tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

/** PE[pos, col] straight from the paper's formula, in float64: i = ⌊col/2⌋, sin on even columns, cos on odd. */
function formula(length: number, d: number, { base = 10000, offset = 0 } = {}): number[][] {
  return Array.from({ length }, (_, r) =>
    Array.from({ length: d }, (_, col) => {
      const i = Math.floor(col / 2);
      const angle = (offset + r) / base ** ((2 * i) / d);
      return col % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }),
  );
}

describe('sinusoidalTable', () => {
  it('is the formula of Vaswani et al., in float64', () => {
    const table = sinusoidalTable(50, 16, { dtype: 'float64' });
    expect(table.shape).toEqual([50, 16]);
    expect(table.dtype).toBe('float64');
    expect(table).toBeAllClose(formula(50, 16), { rtol: 0, atol: 1e-12 });
  });

  it('hand-computed rows: position 0 is [0, 1, 0, 1, …]; position 1 for d = 4', () => {
    const table = sinusoidalTable(2, 4, { dtype: 'float64' });
    expect(table.toArray()).toEqual([
      [0, 1, 0, 1],
      [Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01)], // 10000^(2/4) = 100
    ]);
  });

  it('float32 tables are the float64 values rounded once', () => {
    const t32 = sinusoidalTable(30, 10);
    expect(t32.dtype).toBe('float32');
    const t64 = sinusoidalTable(30, 10, { dtype: 'float64' }).dataSync();
    expect(Array.from(t32.dataSync())).toEqual(Array.from(t64, Math.fround));
  });

  it('odd d: exact, and the last column is a sine', () => {
    const table = sinusoidalTable(9, 7, { dtype: 'float64' });
    expect(table.shape).toEqual([9, 7]);
    expect(table).toBeAllClose(formula(9, 7), { rtol: 0, atol: 1e-12 });
    const last = (table.toArray() as number[][]).map((row) => row[6]);
    expect(last).toBeAllClose(
      Array.from({ length: 9 }, (_, pos) => Math.sin(pos / 10000 ** (6 / 7))),
      { rtol: 0, atol: 1e-12 },
    );
    expect(sinusoidalTable(3, 1).toArray()).toBeAllClose([[0], [Math.sin(1)], [Math.sin(2)]]);
  });

  it('offset and base; accurate at large positions', () => {
    expect(sinusoidalTable(4, 6, { offset: 100_000, dtype: 'float64' })).toBeAllClose(
      formula(4, 6, { offset: 100_000 }),
      { rtol: 0, atol: 1e-9 },
    );
    expect(sinusoidalTable(5, 4, { base: 100, dtype: 'float64' })).toBeAllClose(
      formula(5, 4, { base: 100 }),
      {
        rtol: 0,
        atol: 1e-12,
      },
    );
    // float32 tables stay within float32 rounding of the true value even where pos·θ is large.
    expect(sinusoidalTable(3, 8, { offset: 1_000_000 })).toBeAllClose(formula(3, 8, { offset: 1_000_000 }), {
      rtol: 0,
      atol: 1e-7,
    });
  });

  it('rejects bad sizes', () => {
    expect(() => sinusoidalTable(4, 0)).toThrow(ConfigError);
    expect(() => sinusoidalTable(4, 0)).toThrow('sinusoidalTable: d must be an integer ≥ 1 (got 0)');
    expect(() => sinusoidalTable(-1, 4)).toThrow('sinusoidalTable: length must be an integer ≥ 0 (got -1)');
    expect(() => sinusoidalTable(2.5, 4)).toThrow(ConfigError);
    expect(() => sinusoidalTable(4, 4, { base: 0 })).toThrow(
      'sinusoidalTable: base must be a finite number > 0',
    );
    expect(() => sinusoidalTable(4, 4, { dtype: 'int32' as 'float32' })).toThrow(ConfigError);
  });
});

describe('SinusoidalPositionalEncoding', () => {
  const D = 6;

  it('adds PE[0…T] to x [B, T, D]', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D });
    const x = randn([2, 5, D]);
    const y = posEnc.forward(x); // [2, 5, 6]
    expect(y.shape).toEqual([2, 5, D]);
    expect(y).toBeAllClose(x.add(sinusoidalTable(5, D)), { rtol: 0, atol: 0 });
  });

  it('is fixed: no parameters, no buffers, nothing in the state dict', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D, dropout: 0.1 });
    posEnc.forward(randn([1, 3, D]));
    expect(posEnc.parameters()).toEqual([]);
    expect(posEnc.buffers()).toEqual([]);
    expect(posEnc.numParameters()).toBe(0);
    expect(Object.keys(posEnc.stateDict())).toEqual([]);
    expect(posEnc.loadStateDict({})).toEqual({ missingKeys: [], unexpectedKeys: [] });
    // A PyTorch tutorial checkpoint carries its persistent `pe` buffer: it loads non-strictly, reported.
    expect(posEnc.loadStateDict({ pe: zeros([10, 1, D]) }, { strict: false }).unexpectedKeys).toEqual(['pe']);
    expect(posEnc.encoding(3).requiresGrad).toBe(false);
  });

  it('gradient flows to x unchanged (and to nothing else)', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D, scaleEmbedding: true });
    const x = randn([2, 3, D], { requiresGrad: true });
    const r = randn([2, 3, D]);
    posEnc.forward(x).mul(r).sum().backward();
    expect(x.grad).toBeAllClose(r.mul(Math.sqrt(D)), { rtol: 1e-6 });
  });

  it('positions past maxLen: the table extends, with no limit', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D, maxLen: 4 });
    const x = zeros([1, 10, D]);
    expect(posEnc.forward(x)).toBeAllClose(sinusoidalTable(10, D).unsqueeze(0), { rtol: 0, atol: 0 });
    expect(posEnc.forward(zeros([1, 3, D]), { offset: 5000 })).toBeAllClose(
      sinusoidalTable(3, D, { offset: 5000 }).unsqueeze(0),
      { rtol: 0, atol: 0 },
    );
    expect(posEnc.encoding(2, { offset: 20_000 })).toBeAllClose(sinusoidalTable(2, D, { offset: 20_000 }), {
      rtol: 0,
      atol: 0,
    });
  });

  it('offset: step t of an incremental decode gets PE[t]', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D, maxLen: 8 });
    const x = randn([2, 7, D]);
    const full = posEnc.forward(x); // [2, 7, 6]
    for (let t = 0; t < 7; t++) {
      const step = posEnc.forward(x.narrow(1, t, 1), { offset: t }); // [2, 1, 6]
      expect(step).toBeAllClose(full.narrow(1, t, 1), { rtol: 0, atol: 0 });
    }
    expect(posEnc.forward(x.narrow(1, 3, 4), { offset: 3 })).toBeAllClose(full.narrow(1, 3, 4), {
      rtol: 0,
      atol: 0,
    });
  });

  it('scaleEmbedding multiplies x by √dModel before adding', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D, scaleEmbedding: true });
    const x = randn([2, 4, D]);
    expect(posEnc.forward(x)).toBeAllClose(x.mul(Math.sqrt(D)).add(sinusoidalTable(4, D)), { rtol: 1e-6 });
  });

  it('layouts: [T, B, D] when batchFirst is false, [T, D] unbatched', () => {
    const timeMajor = new SinusoidalPositionalEncoding({ dModel: D, batchFirst: false });
    const x = randn([5, 3, D]); // [T, B, D]
    expect(timeMajor.forward(x)).toBeAllClose(x.add(sinusoidalTable(5, D).unsqueeze(1)), {
      rtol: 0,
      atol: 0,
    });
    const unbatched = randn([4, D]);
    const expected = unbatched.add(sinusoidalTable(4, D));
    expect(timeMajor.forward(unbatched)).toBeAllClose(expected, { rtol: 0, atol: 0 });
    expect(new SinusoidalPositionalEncoding({ dModel: D }).forward(unbatched)).toBeAllClose(expected, {
      rtol: 0,
      atol: 0,
    });
  });

  it('follows the input dtype: float64 inputs get the float64 table', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D });
    const y = posEnc.forward(zeros([1, 3, D], { dtype: 'float64' }), { offset: 123_456 });
    expect(y.dtype).toBe('float64');
    expect(y.squeeze(0)).toBeAllClose(formula(3, D, { offset: 123_456 }), { rtol: 0, atol: 1e-9 });
  });

  it('dropout acts in training mode only', () => {
    const posEnc = new SinusoidalPositionalEncoding({ dModel: D, dropout: 0.5, generator: new Generator(3) });
    const x = randn([4, 8, D]);
    const clean = x.add(sinusoidalTable(8, D));
    const trained = posEnc.forward(x).dataSync();
    const expected = clean.dataSync();
    let zeroed = 0;
    trained.forEach((v, i) => {
      if (v === 0) zeroed++;
      else expect(v).toBeCloseTo(2 * expected[i], 5); // survivors scaled by 1/(1 − p)
    });
    expect(zeroed).toBeGreaterThan(trained.length * 0.3);
    expect(zeroed).toBeLessThan(trained.length * 0.7);
    posEnc.eval();
    expect(posEnc.forward(x)).toBeAllClose(clean, { rtol: 0, atol: 0 });
    expect(posEnc.toString()).toBe(
      'SinusoidalPositionalEncoding(dModel=6, maxLen=512\n  (dropout): Dropout(p=0.5)\n)',
    );
  });

  it('rejects bad configurations and inputs with typed errors', () => {
    const make = (options: object) => () => new SinusoidalPositionalEncoding({ dModel: D, ...options });
    expect(make({ dModel: 0 })).toThrow(ConfigError);
    expect(make({ dModel: 0 })).toThrow(
      'sinusoidalPositionalEncoding: dModel must be an integer ≥ 1 (got 0)',
    );
    expect(make({ dModel: 3.5 })).toThrow(ConfigError);
    expect(make({ maxLen: 0 })).toThrow(
      'sinusoidalPositionalEncoding: maxLen must be an integer ≥ 1 (got 0)',
    );
    expect(make({ dropout: 1.5 })).toThrow(
      'sinusoidalPositionalEncoding: dropout must be in [0, 1] (got 1.5)',
    );
    expect(make({ base: -1 })).toThrow(ConfigError);

    const posEnc = new SinusoidalPositionalEncoding({ dModel: D });
    expect(() => posEnc.forward(randn([2, 3, 4]))).toThrow(ShapeError);
    expect(() => posEnc.forward(randn([2, 3, 4]))).toThrow(
      'sinusoidalPositionalEncoding: input last dim must equal dModel (expected 6, got 4; input [2, 3, 4])',
    );
    expect(() => posEnc.forward(randn([1, 2, 3, D]))).toThrow(
      'sinusoidalPositionalEncoding: input must be 3-D [B, T, D] or 2-D [T, D] (got [1, 2, 3, 6])',
    );
    expect(() => posEnc.forward(randn([2, 3, D]), { offset: -1 })).toThrow(
      'sinusoidalPositionalEncoding: offset must be an integer ≥ 0 (got -1)',
    );
    expect(() => posEnc.forward(tensor([[[1, 2, 3, 4, 5, 6]]]))).toThrow(DTypeError);
  });
});
