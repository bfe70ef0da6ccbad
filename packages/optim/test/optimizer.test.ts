/** The Optimizer contract: groups, zeroGrad, skipping params without grads, closures, validation errors. */
import { Adagrad, Adam, AdamW, OptimError, RMSprop, SGD } from '@tensorloom/optim';
import { noGrad, type Tensor, TensorloomError, tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const param = (values: number[], dtype: 'float32' | 'float64' = 'float32') =>
  tensor(values, { dtype, requiresGrad: true });
const grad = (values: number[], dtype: 'float32' | 'float64' = 'float32') => tensor(values, { dtype });

describe('step', () => {
  it('SGD: θ ← θ − lr·g, in place and off the graph', () => {
    const p = param([1, -2]);
    const storage = p.data;
    p.grad = grad([0.5, 4]);
    new SGD([p], { lr: 0.1 }).step();
    expect(Array.from(p.dataSync())).toEqual([
      Math.fround(1 - Math.fround(0.1) * 0.5),
      Math.fround(-2 - Math.fround(0.1) * 4),
    ]);
    expect(p.data).toBe(storage);
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
  });

  it('Adam: the first step moves each weight by about lr against the gradient', () => {
    const p = param([1, 1, 1]);
    p.grad = grad([0.3, -2, 1e-3]);
    new Adam([p], { lr: 0.01 }).step();
    expect(p).toBeAllClose([0.99, 1.01, 0.99], { atol: 1e-6 });
  });

  it('AdamW decays the weights directly: with a zero gradient θ ← θ·(1 − lr·λ)', () => {
    const p = param([2, -4]);
    p.grad = grad([0, 0]);
    new AdamW([p], { lr: 0.1, weightDecay: 0.5 }).step();
    expect(p).toBeAllClose([1.9, -3.8], { rtol: 1e-7 });
    const q = param([2, -4]);
    q.grad = grad([0, 0]);
    new Adam([q], { lr: 0.1, weightDecay: 0.5 }).step(); // Adam: an L2 term in the gradient, normalized away
    expect(q).toBeAllClose([1.9, -3.9], { rtol: 1e-6 });
  });

  it('maximize climbs the objective', () => {
    const p = param([0]);
    p.grad = grad([1]);
    new SGD([p], { lr: 0.5, maximize: true }).step();
    expect(p.item()).toBe(0.5);
  });

  it('skips parameters whose grad is null and creates no state for them', () => {
    const a = param([1]);
    const b = param([1]);
    a.grad = grad([1]);
    const opt = new Adam([a, b], { lr: 0.1 });
    opt.step();
    expect(b.item()).toBe(1);
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
  });

  it('keeps float64 parameters and state in float64', () => {
    const p = param([1, 2], 'float64');
    p.grad = grad([0.1, 0.2], 'float64');
    const opt = new RMSprop([p], { lr: 0.01, centered: true, momentum: 0.9 });
    opt.step();
    expect(p.dtype).toBe('float64');
    expect(opt.state.get(p)?.squareAvg.dtype).toBe('float64');
    // First centered step: s − ḡ² = (1−α)g² − (1−α)²g² = 0.0099g², buffer = g / (√(0.0099g²) + ε).
    const first = (g: number) => (0.01 * g) / (Math.sqrt(0.0099 * g * g) + 1e-8);
    expect(p).toBeAllClose([1 - first(0.1), 2 - first(0.2)], { rtol: 1e-12 });
  });

  it('runs a closure with grad recording on and returns its loss', () => {
    const p = param([3]);
    const opt = new SGD([p], { lr: 0.25 });
    const loss = noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.mul(p).sum(); // d/dp p² = 2p = 6
        l.backward();
        return l;
      }),
    );
    expect(loss.item()).toBe(9);
    expect(p.item()).toBe(1.5);
  });

  it('rejects a gradient whose shape differs from the parameter', () => {
    const p = param([1, 2]);
    p.grad = grad([1, 2, 3]);
    expect(() => new SGD([p], { lr: 0.1 }).step()).toThrow(
      'SGD.step: grad shape [3] does not match param shape [2]',
    );
  });
});

describe('zeroGrad', () => {
  it('sets grads to null by default (set_to_none) and zero-fills in place on request', () => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new SGD([a, b], { lr: 0.1 });
    a.grad = grad([5, 6]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
    const g = grad([7, 8]);
    a.grad = g;
    opt.zeroGrad(false);
    expect(a.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
  });
});

describe('parameter groups', () => {
  it('fill missing options from the defaults and keep per-group overrides', () => {
    const [a, b] = [param([1]), param([2])];
    const opt = new Adam([{ params: [a] }, { params: [b], lr: 0.5, betas: [0.5, 0.9] }], {
      lr: 0.01,
      eps: 1e-6,
    });
    expect(opt.paramGroups.map((g) => [g.lr, g.betas, g.eps, g.params.length])).toEqual([
      [0.01, [0.9, 0.999], 1e-6, 1],
      [0.5, [0.5, 0.9], 1e-6, 1],
    ]);
    expect(opt.defaults.lr).toBe(0.01);
  });

  it("use the group's current lr, so a scheduler or the user can change it", () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1 });
    opt.paramGroups[0].lr = 0.5;
    p.grad = grad([1]);
    opt.step();
    expect(p.item()).toBe(0.5);
  });

  it('addParamGroup adds a group that steps with its own options', () => {
    const [a, b] = [param([1]), param([1])];
    const opt = new SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    a.grad = grad([1]);
    b.grad = grad([1]);
    opt.step();
    expect([a.item(), b.item()]).toEqual([Math.fround(0.9), 0.5]);
  });

  it('reject a parameter in two groups, or twice in one', () => {
    const [a, b] = [param([1]), param([1])];
    expect(() => new SGD([{ params: [a, b] }, { params: [b] }], { lr: 0.1 })).toThrow(
      'SGD: some parameters appear in more than one parameter group (param 0 of group 1 is already in group 0)',
    );
    const opt = new Adam([a]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/more than one parameter group/);
    expect(() => new Adam([a, a])).toThrow('Adam: param 1 of group 0 appears twice in the group');
  });
});

describe('validation', () => {
  const p = () => [param([1])];

  it('throws OptimError (a TensorloomError) naming the class, the option, expected and got', () => {
    const make = () => new Adam(p(), { lr: -1 });
    expect(make).toThrow(OptimError);
    expect(make).toThrow(TensorloomError);
    expect(make).toThrow('Adam: lr must be a number ≥ 0 (got -1)');
  });

  it.each([
    ['SGD', () => new SGD(p(), { lr: -0.1 }), 'SGD: lr must be a number ≥ 0 (got -0.1)'],
    ['SGD', () => new SGD(p(), { lr: 0.1, momentum: -1 }), 'SGD: momentum must be a number ≥ 0 (got -1)'],
    [
      'SGD',
      () => new SGD(p(), { lr: 0.1, nesterov: true }),
      'SGD: nesterov momentum requires momentum > 0 and dampening 0 (got momentum 0, dampening 0)',
    ],
    [
      'SGD',
      () => new SGD(p(), { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }),
      'SGD: nesterov momentum requires momentum > 0 and dampening 0 (got momentum 0.9, dampening 0.1)',
    ],
    ['Adam', () => new Adam(p(), { betas: [1, 0.999] }), 'Adam: betas[0] must be in [0, 1) (got 1)'],
    ['Adam', () => new Adam(p(), { betas: [0.9, -0.1] }), 'Adam: betas[1] must be in [0, 1) (got -0.1)'],
    ['Adam', () => new Adam(p(), { eps: -1e-8 }), 'Adam: eps must be a number ≥ 0 (got -1e-8)'],
    ['Adam', () => new Adam(p(), { lr: Number.NaN }), 'Adam: lr must be a number ≥ 0 (got NaN)'],
    [
      'Adam',
      () => new Adam(p(), { betas: [0.9] as never }),
      'Adam: betas must be a pair [beta1, beta2] (got 0.9)',
    ],
    [
      'AdamW',
      () => new AdamW(p(), { weightDecay: -0.01 }),
      'AdamW: weightDecay must be a number ≥ 0 (got -0.01)',
    ],
    ['RMSprop', () => new RMSprop(p(), { alpha: -0.5 }), 'RMSprop: alpha must be a number ≥ 0 (got -0.5)'],
    [
      'Adagrad',
      () => new Adagrad(p(), { initialAccumulatorValue: -1 }),
      'Adagrad: initialAccumulatorValue must be a number ≥ 0 (got -1)',
    ],
    ['Adagrad', () => new Adagrad(p(), { lrDecay: -1 }), 'Adagrad: lrDecay must be a number ≥ 0 (got -1)'],
    [
      'a group override',
      () => new SGD([{ params: p(), lr: -5 }], { lr: 0.1 }),
      'SGD: lr must be a number ≥ 0 (got -5)',
    ],
  ])('%s: %s', (_, make, message) => {
    expect(make).toThrow(message);
  });

  it('rejects bad parameter lists', () => {
    expect(() => new Adam([])).toThrow('Adam: got an empty parameter list');
    const leaf = param([1]);
    const nonLeaf = leaf.mul(2);
    expect(() => new Adam([nonLeaf])).toThrow(
      "Adam: can't optimize a non-leaf tensor (param 0 of group 0); pass the leaf",
    );
    expect(() => new Adam([tensor([1, 2])])).toThrow(
      'Adam: param 0 of group 0 must be float32 or float64 (got int32)',
    );
    expect(() => new Adam([leaf, { params: [param([1])] }] as never)).toThrow(
      'Adam: params must be all tensors or all parameter groups, not a mix',
    );
    expect(() => new Adam([{ params: [] }])).toThrow('Adam: parameter group 0 has no params');
    expect(() => new Adam([{ params: [1 as unknown as Tensor] }])).toThrow(
      'Adam: param 0 of group 0 is not a Tensor (got number)',
    );
  });

  it('Adagrad creates state for every parameter at construction, as PyTorch does', () => {
    const a = zeros([2], { requiresGrad: true });
    const opt = new Adagrad([a], { initialAccumulatorValue: 0.5 });
    expect(opt.state.get(a)?.step).toBe(0);
    expect(Array.from(opt.state.get(a)!.sum.dataSync())).toEqual([0.5, 0.5]);
  });
});
