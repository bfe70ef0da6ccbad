/**
 * @file Rotary embeddings: hand-computed rotations, both conventions (and how they relate), norms, the
 * relative-position property, offsets, float64 gradient checks, the attention hook and errors.
 */
import { applyRotary, ConfigError, RotaryEmbedding, rotaryHook } from '@tensorloom/positional';
import {
  cat,
  DTypeError,
  Generator,
  gradcheck,
  randn,
  ShapeError,
  stack,
  type Tensor,
  tensor,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const conventions = [
  { label: 'half (GPT-NeoX)', interleaved: false },
  { label: 'interleaved (RoFormer, GPT-J)', interleaved: true },
];

const dot = (a: Tensor, b: Tensor) => a.mul(b).sum().item();

/** Moves features from the interleaved layout (x0, y0, x1, y1, …) to the half layout (x0, x1, …, y0, y1, …). */
function deinterleave(x: Tensor): Tensor {
  const width = x.shape[x.ndim - 1];
  const pairs = x.reshape([...x.shape.slice(0, -1), width / 2, 2]); // [..., R/2, 2]
  return cat([pairs.select(-1, 0), pairs.select(-1, 1)], -1); // [..., R]
}

describe('RotaryEmbedding', () => {
  it('hand-computed: pair i at position t turns by t·base^(−2i/dim)', () => {
    // x = e0 + 2·e2 with dim 4: pairs (x0, x2) and (x1, x3) in the half convention.
    const x = tensor([[1, 0, 2, 0]], { dtype: 'float64' }); // [T=1, 4]
    const half = new RotaryEmbedding({ dim: 4 }).rotate(x, { offset: 3 });
    const [c, s] = [Math.cos(3), Math.sin(3)]; // θ0 = 1
    expect(half).toBeAllClose([[1 * c - 2 * s, 0, 1 * s + 2 * c, 0]], { rtol: 0, atol: 1e-15 });
    // Interleaved pairs (x0, x1) and (x2, x3); pair 1 turns by 3·10000^(−1/2) = 0.03.
    const inter = new RotaryEmbedding({ dim: 4, interleaved: true }).rotate(x, { offset: 3 });
    expect(inter).toBeAllClose([[c, s, 2 * Math.cos(0.03), 2 * Math.sin(0.03)]], { rtol: 0, atol: 1e-15 });
    // Position 0 is the identity.
    expect(new RotaryEmbedding({ dim: 4 }).rotate(x)).toBeAllClose(x, { rtol: 0, atol: 0 });
  });

  it('the two conventions are the same rotation on permuted features', () => {
    const q = randn([2, 3, 5, 8], { dtype: 'float64' }); // [B, H, T, Dh]
    const half = new RotaryEmbedding({ dim: 8 });
    const inter = new RotaryEmbedding({ dim: 8, interleaved: true });
    const viaInterleaved = deinterleave(inter.rotate(q, { offset: 2 }));
    expect(viaInterleaved).toBeAllClose(half.rotate(deinterleave(q), { offset: 2 }), {
      rtol: 0,
      atol: 1e-12,
    });
    // …and they are different maps on the same features.
    expect(inter.rotate(q, { offset: 2 })).not.toBeAllClose(half.rotate(q, { offset: 2 }));
  });

  for (const { label, interleaved } of conventions) {
    describe(label, () => {
      const rope = new RotaryEmbedding({ dim: 8, interleaved });

      it('preserves norms', () => {
        const x = randn([2, 3, 6, 8], { dtype: 'float64' });
        const y = rope.rotate(x, { offset: 5 });
        expect(y.square().sum(-1).sqrt()).toBeAllClose(x.square().sum(-1).sqrt(), { rtol: 1e-12 });
        const x32 = randn([2, 3, 6, 8]);
        expect(rope.rotate(x32, { offset: 1000 }).square().sum(-1)).toBeAllClose(x32.square().sum(-1), {
          rtol: 1e-5,
          atol: 1e-6,
        });
      });

      it('⟨RoPE(q, m), RoPE(k, n)⟩ depends only on m − n', () => {
        const g = new Generator(7);
        const q = randn([1, 8], { dtype: 'float64', generator: g }); // [T=1, Dh]
        const k = randn([1, 8], { dtype: 'float64', generator: g });
        const score = (m: number, n: number) =>
          dot(rope.rotate(q, { offset: m }), rope.rotate(k, { offset: n }));
        for (const shift of [-3, 0, 2, 7]) {
          const reference = score(Math.max(shift, 0), Math.max(-shift, 0)); // m − n = shift
          for (const n of [5, 11, 40, 1000]) {
            expect(score(n + shift, n)).toBeCloseTo(reference, 10);
          }
        }
        expect(Math.abs(score(5, 2) - score(5, 3))).toBeGreaterThan(1e-3); // it does depend on m − n
        // ⟨rot(q, m), rot(k, n)⟩ = ⟨q, rot(k, n − m)⟩
        expect(score(4, 9)).toBeCloseTo(dot(q, rope.rotate(k, { offset: 5 })), 10);
      });

      it('offset equals slicing a longer sequence', () => {
        const x = randn([2, 2, 10, 8]);
        const full = rope.rotate(x); // [B, H, 10, Dh]
        expect(rope.rotate(x.narrow(2, 4, 3), { offset: 4 })).toBeAllClose(full.narrow(2, 4, 3), {
          rtol: 0,
          atol: 0,
        });
        for (let t = 0; t < 10; t++) {
          const [qt, kt] = rope.apply(x.narrow(2, t, 1), x.narrow(2, t, 1), { offset: t });
          expect(qt).toBeAllClose(full.narrow(2, t, 1), { rtol: 0, atol: 0 });
          expect(kt).toBeAllClose(full.narrow(2, t, 1), { rtol: 0, atol: 0 });
        }
      });

      it('float64 gradient check, full and partial rotary', () => {
        const q = randn([2, 2, 3, 8], { dtype: 'float64', requiresGrad: true });
        const k = randn([2, 2, 3, 8], { dtype: 'float64', requiresGrad: true });
        expect(gradcheck((a, b) => rope.apply(a, b, { offset: 3 }), [q, k])).toBe(true);
        const partial = new RotaryEmbedding({ dim: 4, interleaved });
        const x = randn([2, 3, 6], { dtype: 'float64', requiresGrad: true });
        expect(gradcheck((a) => partial.rotate(a, { offset: 1 }), [x])).toBe(true);
      });

      it('partial rotary: features past dim pass through', () => {
        const partial = new RotaryEmbedding({ dim: 4, interleaved });
        const x = randn([2, 5, 7]);
        const y = partial.rotate(x, { offset: 2 });
        expect(y.narrow(-1, 4, 3)).toBeAllClose(x.narrow(-1, 4, 3), { rtol: 0, atol: 0 });
        expect(y.narrow(-1, 0, 4)).toBeAllClose(
          partial.rotate(x.narrow(-1, 0, 4).contiguous(), { offset: 2 }),
          {
            rtol: 0,
            atol: 0,
          },
        );
      });

      it('non-contiguous inputs (heads split by a transpose) give the same result', () => {
        const x = randn([2, 5, 3, 8]); // [B, T, H, Dh]
        const heads = x.transpose(1, 2); // [B, H, T, Dh], a strided view
        expect(rope.rotate(heads, { offset: 1 })).toBeAllClose(
          rope.rotate(heads.contiguous(), { offset: 1 }),
          {
            rtol: 0,
            atol: 0,
          },
        );
      });

      it('applyRotary with the cached cos/sin equals rotate; cos/sin may carry leading dims', () => {
        const x = randn([2, 3, 4, 8]);
        const [cos, sin] = rope.cosSin(4, { offset: 6 }); // [T, 4]
        expect(cos.shape).toEqual([4, 4]);
        expect(applyRotary(x, cos, sin, { interleaved })).toBeAllClose(rope.rotate(x, { offset: 6 }), {
          rtol: 0,
          atol: 0,
        });
        // Per-sequence positions: batch element b starts at offset 6·b.
        const perBatch = [0, 1].map((b) => rope.cosSin(4, { offset: 6 * b })); // 2 × [cos, sin]
        const cosB = stack(perBatch.map(([c]) => c)).unsqueeze(1); // [B, 1, T, 4]
        const sinB = stack(perBatch.map(([, s]) => s)).unsqueeze(1);
        const y = applyRotary(x, cosB, sinB, { interleaved }); // [B, H, T, Dh]
        expect(y.narrow(0, 1, 1)).toBeAllClose(rope.rotate(x.narrow(0, 1, 1), { offset: 6 }), {
          rtol: 0,
          atol: 0,
        });
        expect(y.narrow(0, 0, 1)).toBeAllClose(rope.rotate(x.narrow(0, 0, 1)), { rtol: 0, atol: 0 });
      });
    });
  }

  it('tables are computed in float64: accurate at large positions in float32 too', () => {
    const rope = new RotaryEmbedding({ dim: 8 });
    const [cos, sin] = rope.cosSin(2, { offset: 1_000_000 });
    const angles = [0, 1].map((t) => [0, 1, 2, 3].map((i) => (1_000_000 + t) * 10000 ** (-(2 * i) / 8)));
    expect(cos).toBeAllClose(
      angles.map((row) => row.map(Math.cos)),
      { rtol: 0, atol: 1e-7 },
    );
    expect(sin).toBeAllClose(
      angles.map((row) => row.map(Math.sin)),
      { rtol: 0, atol: 1e-7 },
    );
    // The cache grows on demand; earlier positions are unchanged.
    expect(rope.cosSin(3)[0]).toBeAllClose([
      [1, 1, 1, 1],
      [Math.cos(1), Math.cos(0.1), Math.cos(0.01), Math.cos(0.001)],
      [Math.cos(2), Math.cos(0.2), Math.cos(0.02), Math.cos(0.002)],
    ]);
  });

  it('rotaryHook: the (q, k, { offset }) => [q, k] function an attention module calls', () => {
    const rope = new RotaryEmbedding({ dim: 8 });
    const hook = rotaryHook(rope);
    const q = randn([2, 2, 5, 8], { dtype: 'float64' }); // [B, H, T, Dh]
    const k = randn([2, 2, 5, 8], { dtype: 'float64' });
    const [qh, kh] = hook(q, k, { offset: 3 });
    const [qa, ka] = rope.apply(q, k, { offset: 3 });
    expect(qh).toBeAllClose(qa, { rtol: 0, atol: 0 });
    expect(kh).toBeAllClose(ka, { rtol: 0, atol: 0 });
    expect(hook(q, k)[0]).toBeAllClose(rope.rotate(q), { rtol: 0, atol: 0 });

    // In scaled dot-product attention the weights are then translation invariant: shifting every position
    // by the same amount changes nothing.
    const attention = (offset: number) => {
      const [qr, kr] = hook(q, k, { offset });
      return qr.matmul(kr.transpose(-2, -1)).div(Math.sqrt(8)).softmax(-1); // [B, H, T, T]
    };
    expect(attention(100)).toBeAllClose(attention(0), { rtol: 1e-9, atol: 1e-12 });
    expect(attention(0)).not.toBeAllClose(q.matmul(k.transpose(-2, -1)).div(Math.sqrt(8)).softmax(-1));
  });

  it('rejects bad configurations and inputs with typed errors', () => {
    expect(() => new RotaryEmbedding({ dim: 7 })).toThrow(ConfigError);
    expect(() => new RotaryEmbedding({ dim: 7 })).toThrow(
      'rotaryEmbedding: dim must be even: features rotate in pairs (got 7)',
    );
    expect(() => new RotaryEmbedding({ dim: 0 })).toThrow(
      'rotaryEmbedding: dim must be an integer ≥ 2 (got 0)',
    );
    expect(() => new RotaryEmbedding({ dim: -4 })).toThrow(ConfigError);
    expect(() => new RotaryEmbedding({ dim: 4.5 })).toThrow(ConfigError);
    expect(() => new RotaryEmbedding({ dim: 4, base: 0 })).toThrow(
      'rotaryEmbedding: base must be a finite number > 0 (got 0)',
    );

    const rope = new RotaryEmbedding({ dim: 8 });
    expect(() => rope.rotate(randn([2, 5, 6]))).toThrow(ShapeError);
    expect(() => rope.rotate(randn([2, 5, 6]))).toThrow(
      'rotaryEmbedding: input must be [..., T, Dh] with Dh ≥ dim (dim 8, got [2, 5, 6])',
    );
    expect(() => rope.rotate(randn([8]))).toThrow(ShapeError);
    expect(() => rope.rotate(tensor([[1, 2, 3, 4, 5, 6, 7, 8]]))).toThrow(DTypeError);
    expect(() => rope.apply(randn([1, 8]), randn([1, 8]), { offset: -2 })).toThrow(
      'rotaryEmbedding: offset must be an integer ≥ 0 (got -2)',
    );

    const [cos, sin] = rope.cosSin(3);
    expect(() => applyRotary(randn([2, 4, 8]), cos, sin)).toThrow(
      'applyRotary: cos and sin must have one row per step of x (expected 4, got 3',
    );
    expect(() => applyRotary(randn([2, 3, 6]), cos, sin)).toThrow(ShapeError);
    expect(() => applyRotary(randn([2, 3, 8]), cos, sin.narrow(1, 0, 2))).toThrow(
      'applyRotary: cos and sin must have the same shape [T, R/2] (got [3, 4] and [3, 2])',
    );
  });
});
