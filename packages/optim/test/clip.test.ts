/** Gradient clipping: PyTorch reference cases (fixtures/optim.json) and the contract around them. */
import { clipGradNorm, clipGradValue, OptimError } from '@tensorloom/optim';
import { randn, type Tensor, tensor, zeros } from '@tensorloom/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, fromSpec, maxAbsDiff, num } from './fixture.js';

const ATOL = 2e-6;
const RTOL = 1e-5;
let worstNorm = 0;
let worstGrad = 0;

function withGrads(specs: (import('./fixture.js').TensorSpec | null)[]): Tensor[] {
  return specs.map((g, i) => {
    const p = zeros(g?.shape ?? [1], { requiresGrad: true });
    p.grad = g === null ? null : fromSpec(g);
    return Object.assign(p, { label: i });
  });
}

describe('clipping matches PyTorch (float32, fixtures/optim.json)', () => {
  it.each(fixture.clipping.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const params = withGrads(c.grads);
    if (c.fn === 'clipGradNorm') {
      const total = clipGradNorm(params, c.args.maxNorm!, num(c.args.normType!));
      const expected = num(c.totalNorm!);
      worstNorm = Math.max(worstNorm, Math.abs(total - expected));
      expect(total).toBeAllClose(expected, { atol: ATOL, rtol: RTOL });
    } else {
      clipGradValue(params, c.args.clipValue!);
    }
    params.forEach((p, i) => {
      const want = c.clipped[i];
      if (want === null) {
        expect(p.grad).toBeNull();
        return;
      }
      worstGrad = Math.max(
        worstGrad,
        maxAbsDiff(
          p.grad!.dataSync(),
          want.data.map((v) => Math.fround(num(v))),
        ),
      );
      expect(p.grad, `${c.name}: grad ${i}`).toBeAllClose(fromSpec(want), { atol: ATOL, rtol: RTOL });
    });
  });

  it('covers L1, L2, infinity, a no-op and clipGradValue', () => {
    const norms = new Set(
      fixture.clipping.filter((c) => c.fn === 'clipGradNorm').map((c) => num(c.args.normType!)),
    );
    expect([...norms]).toEqual(expect.arrayContaining([1, 2, Number.POSITIVE_INFINITY]));
    expect(fixture.clipping.some((c) => c.name.includes('no-op'))).toBe(true);
    expect(fixture.clipping.some((c) => c.fn === 'clipGradValue')).toBe(true);
  });

  afterAll(() => {
    console.info(
      `clipping vs PyTorch: worst |Δ| total norm ${worstNorm.toExponential(2)}, grads ${worstGrad.toExponential(2)}`,
    );
  });
});

describe('clipGradNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) in place and returns the norm before clipping', () => {
    const p = zeros([2], { requiresGrad: true });
    const g = tensor([3, 4], { dtype: 'float32' });
    p.grad = g;
    const total = clipGradNorm([p], 1);
    expect(total).toBe(5);
    expect(p.grad).toBe(g); // the same tensor, overwritten
    expect(g).toBeAllClose([0.6, 0.8], { rtol: 1e-6 });
  });

  it('takes the 2-norm as the tensor ops do, for every length modulo 4 and non-contiguous gradients', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 1001]) {
      const p = zeros([n], { dtype: 'float64', requiresGrad: true });
      const g = randn([n], { dtype: 'float64' });
      const expected = g.square().sum().sqrt().item();
      p.grad = g.clone();
      expect(clipGradNorm(p, 1e9)).toBeCloseTo(expected, 12);
    }
    const q = zeros([3, 5], { dtype: 'float64', requiresGrad: true });
    const strided = randn([5, 3], { dtype: 'float64' }).t(); // [3, 5], column-major
    q.grad = strided;
    expect(clipGradNorm(q, 1e9)).toBeCloseTo(strided.square().sum().sqrt().item(), 12);
  });

  it('accepts a single tensor and returns 0 when no parameter has a gradient', () => {
    const p = zeros([3], { requiresGrad: true });
    expect(clipGradNorm(p, 1)).toBe(0);
    p.grad = tensor([0, -2, 0], { dtype: 'float32' });
    expect(clipGradNorm(p, 1, Number.POSITIVE_INFINITY)).toBe(2);
    expect(p.grad).toBeAllClose([0, -1, 0], { rtol: 1e-6 }); // −2 · 1 / (2 + 1e-6)
  });

  it('leaves float64 gradients in float64', () => {
    const p = zeros([2], { dtype: 'float64', requiresGrad: true });
    p.grad = tensor([6, 8], { dtype: 'float64' });
    expect(clipGradNorm(p, 5)).toBe(10);
    expect(p.grad.dtype).toBe('float64');
    expect(p.grad).toBeAllClose([6 * (5 / (10 + 1e-6)), 8 * (5 / (10 + 1e-6))], { rtol: 1e-15 });
  });

  it('throws on a non-finite norm only when asked', () => {
    const p = zeros([2], { requiresGrad: true });
    p.grad = tensor([Number.POSITIVE_INFINITY, 1], { dtype: 'float32' });
    expect(() => clipGradNorm(p, 1, 2, { errorIfNonfinite: true })).toThrow(
      /clipGradNorm: the total norm of order 2 .* is non-finite \(got Infinity\)/,
    );
    expect(clipGradNorm(p, 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a negative maxNorm and a non-positive normType', () => {
    const p = zeros([2], { requiresGrad: true });
    expect(() => clipGradNorm(p, -1)).toThrow(OptimError);
    expect(() => clipGradNorm(p, -1)).toThrow('clipGradNorm: maxNorm must be a number ≥ 0 (got -1)');
    expect(() => clipGradNorm(p, 1, 0)).toThrow(
      'clipGradNorm: normType must be a number > 0 or Infinity (got 0)',
    );
  });
});

describe('clipGradValue', () => {
  it('clamps in place and rejects a negative clipValue', () => {
    const p = zeros([3], { requiresGrad: true });
    const g = tensor([-2, 0.25, 3], { dtype: 'float32' });
    p.grad = g;
    clipGradValue([p], 1);
    expect(p.grad).toBe(g);
    expect(g).toBeAllClose([-1, 0.25, 1]);
    expect(() => clipGradValue([p], -1)).toThrow('clipGradValue: clipValue must be a number ≥ 0 (got -1)');
  });
});
