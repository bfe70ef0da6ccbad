import {
  AutogradError,
  DTypeError,
  enableGrad,
  isGradEnabled,
  noGrad,
  ones,
  randn,
  type Tensor,
  tensor,
  zeros,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const f64 = { dtype: 'float64', requiresGrad: true } as const;

describe('autograd semantics', () => {
  it('computes the gradient of a scalar function', () => {
    const x = tensor([1, 2, 3], f64);
    x.pow(3).sum().backward(); // d/dx Σx³ = 3x²
    expect(x.grad).toBeAllClose([3, 12, 27]);
  });

  it('accumulates gradients over backward calls until cleared', () => {
    const x = tensor([1, 2], f64);
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    expect(x.grad).toBeAllClose([5, 5]);
    x.grad = null;
    x.mul(4).sum().backward();
    expect(x.grad).toBeAllClose([4, 4]);
  });

  it('sums gradients of a tensor used several times', () => {
    const x = tensor([2], f64);
    const y = x.mul(x).add(x); // x² + x → 2x + 1
    y.sum().backward();
    expect(x.grad).toBeAllClose([5]);
  });

  it('keeps .grad only on leaves unless retainGrad is called', () => {
    const x = tensor([1, 2], f64);
    const hidden = x.mul(3);
    const kept = x.mul(5).retainGrad();
    hidden.add(kept).sum().backward();
    expect(x.isLeaf).toBe(true);
    expect(hidden.isLeaf).toBe(false);
    expect(hidden.grad).toBeNull();
    expect(kept.grad).toBeAllClose([1, 1]);
    expect(x.grad).toBeAllClose([8, 8]);
  });

  it('accepts an explicit gradient for non-scalar outputs and requires one otherwise', () => {
    const x = tensor([1, 2, 3], f64);
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/only for scalar outputs \(got shape \[3\]\)/);
    y.backward(tensor([1, 0, -1], { dtype: 'float64' }));
    expect(x.grad).toBeAllClose([2, 0, -2]);
    expect(() => x.mul(2).backward(ones([2], { dtype: 'float64' }))).toThrow(
      /gradient shape \[2\] does not match the output \[3\]/,
    );
  });

  it('errors on a second backward through a freed graph, and allows it with retainGraph', () => {
    const x = tensor([1, 2], f64);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad).toBeAllClose([2 * Math.E, 2 * Math.exp(2)]);
    expect(() => y.backward()).toThrow(/backward through the graph a second time/);
  });

  it('records nothing inside noGrad and restores the mode afterwards, even on throw', () => {
    const x = tensor([1, 2], f64);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
  });

  it('detach cuts the graph but shares storage', () => {
    const x = tensor([1, 2], f64);
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    const y = x.mul(d).sum(); // d is a constant
    y.backward();
    expect(x.grad).toBeAllClose([2, 4]);
  });

  it('names the producing primitive in gradFn', () => {
    const x = tensor([1, 2], f64);
    expect(x.gradFn).toBeNull();
    expect(x.exp().gradFn?.name).toBe('exp');
    expect(x.sum().gradFn?.name).toBe('sum');
  });

  it('rejects requiresGrad on integer tensors and on non-leaves', () => {
    expect(() => tensor([1, 2], { requiresGrad: true })).toThrow(DTypeError);
    const y = tensor([1, 2], f64).mul(2);
    expect(() => y.requiresGrad_(false)).toThrow(AutogradError);
  });

  it('allows backward on a scalar leaf', () => {
    const x = tensor(3, f64);
    x.backward();
    expect(x.grad?.item()).toBe(1);
  });

  it('gives a leaf gradient its own contiguous storage', () => {
    const x = tensor([[1, 2, 3]], f64);
    x.expand([4, 3]).sum().backward(); // the sum rule broadcasts; the leaf must not keep a stride-0 view
    expect(x.grad?.isContiguous()).toBe(true);
    expect(x.grad).toBeAllClose([[4, 4, 4]]);
  });

  it('differentiates a 5,000-step unrolled recurrence without overflowing the stack', () => {
    const w = tensor([0.5], f64);
    let h = zeros([1], { dtype: 'float64' });
    const inputs = randn([5000], { dtype: 'float64' });
    for (let t = 0; t < 5000; t++)
      h = h
        .mul(w)
        .add(inputs.narrow(0, t, 1))
        .tanh();
    h.sum().backward();
    expect(Number.isFinite(w.grad?.item() ?? Number.NaN)).toBe(true);
  });

  it('gives the same gradient through views as through copies', () => {
    const x = randn([3, 4], f64);
    x.transpose(0, 1)
      .slice(0, 1, 4, 2)
      .mul(tensor([[1, 2, 3]], { dtype: 'float64' }))
      .sum()
      .backward();
    const viaViews = x.grad?.toArray();
    x.grad = null;
    x.transpose(0, 1)
      .contiguous()
      .slice(0, 1, 4, 2)
      .contiguous()
      .mul(tensor([[1, 2, 3]], { dtype: 'float64' }))
      .sum()
      .backward();
    expect((x.grad as Tensor | null)?.toArray()).toEqual(viaViews);
    expect(viaViews).toEqual([
      [0, 1, 0, 1],
      [0, 2, 0, 2],
      [0, 3, 0, 3],
    ]);
  });
});

describe('in-place writes', () => {
  it('copy_, fill_ and zero_ write into storage, broadcasting and converting', () => {
    const w = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32', requiresGrad: true },
    );
    const view = w.t();
    noGrad(() => w.copy_(tensor([10, 20])));
    expect(w.toArray()).toEqual([
      [10, 20],
      [10, 20],
    ]);
    expect(view.toArray()).toEqual([
      [10, 10],
      [20, 20],
    ]); // views see the write
    noGrad(() => w.fill_(0.5));
    expect(w.toArray()).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    noGrad(() => w.zero_());
    expect(w.sum().item()).toBe(0);
  });

  it('refuses to write into a tensor that requires grad while recording', () => {
    const w = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    expect(() => w.copy_(tensor([3, 4]))).toThrow(/in-place write .* wrap it in noGrad/);
    expect(w.toArray()).toEqual([1, 2]);
  });
});
