/**
 * A matrix multiplied by several matmuls (an RNN's W_hhᵀ) gets its gradient Σ A_iᵀ·G_i as one stacked product
 * (autograd/pending-products.ts), and matmul gradients come out in their input's layout (matmul-grads.ts): the
 * values against products written out by hand and against finite differences, for leaves and views, mixed
 * with other uses of the operand, past the pending-memory cap, and with retained graphs.
 */
import {
  getBackend,
  gradcheck,
  matmul,
  noGrad,
  randn,
  registerBackend,
  setBackend,
  type Tensor,
  zeros,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { PendingProducts } from '../src/autograd/pending-products.js';

const f64 = { dtype: 'float64' } as const;

/** Σ_i A_iᵀ·(cotangent_i) written out with no autograd: the gradient every test expects for B. */
function handSum(lefts: Tensor[], cotangents: Tensor[]): Tensor {
  return noGrad(() => {
    let total = zeros([lefts[0].shape[1], cotangents[0].shape[1]], f64);
    lefts.forEach((a, i) => {
      total = total.add(matmul(a.t(), cotangents[i]));
    });
    return total;
  });
}

/** How many matmul kernel calls `run` makes (through a backend that counts them). */
function productsIn(run: () => void): number {
  const original = getBackend();
  let products = 0;
  registerBackend({
    ...original,
    name: 'counting-matmuls',
    matmul: (a, b, out) => {
      products++;
      original.matmul(a, b, out);
    },
  });
  setBackend('counting-matmuls');
  try {
    run();
  } finally {
    setBackend(original.name);
  }
  return products;
}

describe('gradients of a right operand shared by several matmuls', () => {
  it('a leaf used by T products gets Σ A_tᵀ·G_t, and each A_t its own G_t·Bᵀ', () => {
    const steps = 5;
    const b = randn([3, 4], { ...f64, requiresGrad: true });
    const lefts = Array.from({ length: steps }, () => randn([2, 3], { ...f64, requiresGrad: true }));
    const cotangents = lefts.map(() => randn([2, 4], f64));
    let loss = zeros([], f64);
    lefts.forEach((a, t) => {
      loss = loss.add(matmul(a, b).mul(cotangents[t]).sum());
    });
    loss.backward();
    expect(b.grad).toBeAllClose(handSum(lefts, cotangents), { rtol: 1e-12, atol: 1e-12 });
    lefts.forEach((a, t) => {
      expect(a.grad).toBeAllClose(matmul(cotangents[t], b.t()), { rtol: 1e-12, atol: 1e-12 });
    });
  });

  it('computes the sum with one product, not one per use, when the pairs are small', () => {
    const productsForGrad = (rows: number) => {
      const w = randn([8, 6], { requiresGrad: true });
      const wT = w.t();
      let loss = zeros([]);
      for (let t = 0; t < 10; t++) loss = loss.add(matmul(randn([rows, 6]), wT).sum());
      return productsIn(() => loss.backward()); // inputs need no gradient: only ∂(Wᵀ) is computed
    };
    expect(productsForGrad(3)).toBe(1);
    // Pairs larger than W ([50, 6] and [50, 8] against 48 elements) are not worth stacking.
    expect(productsForGrad(50)).toBe(10);
  });

  it('a transposed view (W.t(), as RNN layers use it) passes the sum to W, contiguous', () => {
    const w = randn([4, 3], { ...f64, requiresGrad: true }); // [N, K]
    const wT = w.t(); // [K, N], column-major
    const lefts = Array.from({ length: 4 }, () => randn([2, 3], f64));
    const cotangents = lefts.map(() => randn([2, 4], f64));
    let loss = zeros([], f64);
    lefts.forEach((a, t) => {
      loss = loss.add(matmul(a, wT).mul(cotangents[t]).sum());
    });
    loss.backward();
    const grad = w.grad as Tensor;
    expect(grad.isContiguous()).toBe(true);
    expect(grad).toBeAllClose(handSum(lefts, cotangents).t(), { rtol: 1e-12, atol: 1e-12 });
  });

  it('a fresh W.t() per product (a Linear applied once per step) pools the products under W: one product', () => {
    const w = randn([8, 6], { ...f64, requiresGrad: true }); // [N, K], as nn.Linear's weight
    const lefts = Array.from({ length: 6 }, () => randn([2, 6], f64)); // pairs of 28 elements, W has 48
    const cotangents = lefts.map(() => randn([2, 8], f64));
    let loss = zeros([], f64);
    lefts.forEach((a, t) => {
      loss = loss.add(matmul(a, w.t()).mul(cotangents[t]).sum()); // a new view every time
    });
    expect(productsIn(() => loss.backward())).toBe(1);
    const grad = w.grad as Tensor;
    expect(grad.isContiguous()).toBe(true);
    expect(grad).toBeAllClose(handSum(lefts, cotangents).t(), { rtol: 1e-12, atol: 1e-12 });
  });

  it('sums fresh views, direct uses and other uses of one operand (gradcheck, leaf and non-leaf)', () => {
    // Pairs of at most 24 elements against a 36-element operand: every product here waits to be pooled.
    const x = [randn([2, 6], f64), randn([1, 6], f64), randn([2, 6], f64)];
    const mixed = (weight: Tensor) => [
      matmul(x[0], weight.t()).sin(),
      matmul(x[1], weight.t()),
      matmul(x[2], weight), // the same operand, not transposed
      matmul(x[0], weight),
      weight.t().exp(), // a view that also gets a gradient of its own
    ];
    gradcheck(mixed, [randn([6, 6], { ...f64, requiresGrad: true })]);
    gradcheck((w) => mixed(w.mul(2)), [randn([6, 6], { ...f64, requiresGrad: true })]);
  });

  it('a transposed view with a retained grad keeps its own sum', () => {
    const w = randn([4, 3], { ...f64, requiresGrad: true });
    const wT = w.t().retainGrad();
    const lefts = [randn([2, 3], f64), randn([1, 3], f64)];
    const ones = (rows: number) => zeros([rows, 4], f64).add(1);
    matmul(lefts[0], wT).sum().add(matmul(lefts[1], wT).sum()).backward();
    const expected = handSum(lefts, [ones(2), ones(1)]);
    expect(wT.grad).toBeAllClose(expected, { rtol: 1e-12, atol: 1e-12 });
    expect(w.grad).toBeAllClose(expected.t(), { rtol: 1e-12, atol: 1e-12 });
  });

  it('a chain where each product feeds the next (a recurrence) passes gradcheck', () => {
    const h0 = randn([2, 3], f64).requiresGrad_();
    const w = randn([3, 3], f64).mul(0.5).requiresGrad_();
    gradcheck(
      (h, weight) => {
        let state = h;
        for (let t = 0; t < 4; t++) state = matmul(state, weight.t()).tanh();
        return state;
      },
      [h0, w],
    );
  });

  it('adds the products to the operand’s other gradients (elementwise use, a slice, a retained grad)', () => {
    const w = randn([3, 4], { ...f64, requiresGrad: true });
    const [x1, x2] = [randn([2, 3], f64), randn([5, 3], f64)];
    gradcheck(
      (weight) => {
        const shared = weight.mul(2); // a non-leaf operand
        const y1 = matmul(x1, shared);
        const y2 = matmul(x2, shared);
        return [y1.sin(), y2, shared.select(0, 1).exp(), shared.mul(shared)];
      },
      [w],
    );
    const shared = w.mul(1).retainGrad();
    const a1 = randn([2, 3], f64);
    const a2 = randn([1, 3], f64);
    matmul(a1, shared).sum().add(matmul(a2, shared).sum()).backward();
    const ones = (rows: number) => zeros([rows, 4], f64).add(1);
    expect(shared.grad).toBeAllClose(handSum([a1, a2], [ones(2), ones(1)]), { rtol: 1e-12, atol: 1e-12 });
  });

  it('is exact with a retained graph (a second backward adds the same sum again)', () => {
    const b = randn([6, 5], { ...f64, requiresGrad: true });
    const lefts = Array.from({ length: 7 }, () => randn([2, 6], f64));
    const cotangents = lefts.map(() => randn([2, 5], f64));
    let loss = zeros([], f64);
    lefts.forEach((a, t) => {
      loss = loss.add(matmul(a, b).mul(cotangents[t]).sum());
    });
    loss.backward(undefined, { retainGraph: true });
    const expected = handSum(lefts, cotangents);
    expect(b.grad).toBeAllClose(expected, { rtol: 1e-12, atol: 1e-12 });
    loss.backward();
    expect(b.grad).toBeAllClose(expected.mul(2), { rtol: 1e-12, atol: 1e-12 });
  });

  it('keeps a partial sum when the waiting pairs reach the memory cap', () => {
    // Cap 4·|B| = 120 elements; each pair is 2·6 + 2·5 = 22, so every 6 pairs flush: 3 partial sums, 5 waiting.
    const b = randn([6, 5], f64);
    const products = new PendingProducts({ plain: new Set([b]), transposed: new Set() }, 0);
    const lefts = Array.from({ length: 23 }, () => randn([2, 6], f64));
    const grads = lefts.map(() => randn([2, 5], f64));
    lefts.forEach((a, t) => {
      products.add(b, a, grads[t]);
    });
    expect(products.inputs()).toEqual([b]);
    expect(products.take(b)).toBeAllClose(handSum(lefts, grads), { rtol: 1e-12, atol: 1e-12 });
    expect(products.take(b)).toBeNull();
  });

  it('keeps a partial sum for pairs pooled under W through fresh views, in W’s layout', () => {
    const w = randn([5, 6], { ...f64, requiresGrad: true }); // [N, K]
    const products = new PendingProducts({ plain: new Set(), transposed: new Set([w]) }, 0);
    const lefts = Array.from({ length: 23 }, () => randn([2, 6], f64));
    const grads = lefts.map(() => randn([2, 5], f64));
    lefts.forEach((a, t) => {
      products.add(w.t(), a, grads[t]);
    });
    expect(products.inputs()).toEqual([w]);
    const sum = products.take(w) as Tensor;
    expect(sum.shape).toEqual([5, 6]);
    expect(sum).toBeAllClose(handSum(lefts, grads).t(), { rtol: 1e-12, atol: 1e-12 });
    expect(products.take(w)).toBeNull();
  });

  it('float32 agrees with float64 within float32 rounding', () => {
    const b = randn([16, 24]);
    const lefts = Array.from({ length: 6 }, () => randn([8, 16]));
    const run = (dtype: 'float32' | 'float64') => {
      const leaf = b.to(dtype).detach().requiresGrad_();
      let loss = zeros([], { dtype });
      for (const a of lefts) loss = loss.add(matmul(a.to(dtype), leaf).tanh().sum());
      loss.backward();
      return leaf.grad as Tensor;
    };
    expect(run('float32')).toBeAllClose(run('float64'), { rtol: 1e-5, atol: 1e-5 });
  });
});

describe('matmul gradients in their input’s layout', () => {
  it('a weight used through W.t() once gets a contiguous gradient with the right values', () => {
    const w = randn([5, 3], { ...f64, requiresGrad: true });
    const x = randn([4, 3], f64);
    const g = randn([4, 5], f64);
    matmul(x, w.t()).mul(g).sum().backward();
    const grad = w.grad as Tensor;
    expect(grad.isContiguous()).toBe(true);
    expect(grad).toBeAllClose(matmul(g.t(), x), { rtol: 1e-12, atol: 1e-12 });
  });

  it('a transposed left operand gets its gradient through a transposed product', () => {
    const a = randn([3, 4], { ...f64, requiresGrad: true }); // used as aᵀ [4, 3]
    const b = randn([3, 2], f64);
    const g = randn([4, 2], f64);
    matmul(a.t(), b).mul(g).sum().backward();
    const grad = a.grad as Tensor;
    expect(grad.isContiguous()).toBe(true);
    expect(grad).toBeAllClose(matmul(b, g.t()), { rtol: 1e-12, atol: 1e-12 });
    gradcheck(
      (left, right) => matmul(left.t(), right.t()),
      [randn([3, 4], { ...f64, requiresGrad: true }), randn([2, 3], { ...f64, requiresGrad: true })],
    );
  });
});
