/**
 * PyTorch's optimizer state dicts (opt.state_dict() with its tensors as lists, as exported to JSON) load into the
 * matching optimizer, which then takes PyTorch's next steps (fixtures/optim.json, "stateDicts").
 */
import { Adam, OptimError } from '@tensorloom/optim';
import { tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { ATOL, constructors, fixture, fromSpec, RTOL } from './fixture.js';

describe('PyTorch optimizer state dicts load and resume PyTorch’s training', () => {
  it('has a case for every optimizer', () => {
    expect(fixture.stateDicts.map((c) => c.optimizer).sort()).toEqual(Object.keys(constructors).sort());
  });

  it.each(fixture.stateDicts.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const params = c.params.map((p) => fromSpec(p, true));
    // Built with another lr and no other options: every hyperparameter must come from the state dict.
    const opt = new constructors[c.optimizer](params, { lr: 1 });
    opt.loadStateDict(JSON.parse(JSON.stringify(c.torchStateDict)));
    for (const [key, value] of Object.entries(c.options))
      expect(opt.paramGroups[0]).toHaveProperty(key, value);
    c.steps.forEach((step, k) => {
      params.forEach((p, i) => {
        p.grad = fromSpec(step.grads[i]!);
      });
      opt.step();
      params.forEach((p, i) => {
        expect(p, `${c.name}: param ${i}, step ${k + 1} after loading`).toBeAllClose(
          fromSpec(step.params[i]),
          {
            atol: ATOL,
            rtol: RTOL,
          },
        );
      });
    });
  });

  it('drops the flags that only choose PyTorch’s implementation, and reads a one-element step', () => {
    const p = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([p], { lr: 1 });
    opt.loadStateDict({
      state: { 0: { step: [7], exp_avg: [0.5, 0.5], exp_avg_sq: [1, 1] } },
      param_groups: [
        {
          lr: 0.1,
          betas: [0.8, 0.9],
          eps: 1e-8,
          weight_decay: 0,
          amsgrad: false,
          maximize: false,
          foreach: null,
          capturable: false,
          differentiable: false,
          fused: null,
          params: [0],
        } as { params: number[] },
      ],
    });
    expect(opt.paramGroups[0]).not.toHaveProperty('foreach');
    expect(opt.paramGroups[0]).not.toHaveProperty('fused');
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.1, betas: [0.8, 0.9], weightDecay: 0 });
    const state = opt.stateDict().state[0] as { step: number; expAvg: unknown };
    expect(state.step).toBe(7);
    expect(state.expAvg).toBeAllClose([0.5, 0.5]);
  });

  it('a step that is not one number is an error naming the entry', () => {
    const p = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const load = () =>
      new Adam([p]).loadStateDict({
        state: { 0: { step: [1, 2], exp_avg: [0, 0], exp_avg_sq: [0, 0] } },
        param_groups: [{ params: [0] }],
      });
    expect(load).toThrow(OptimError);
    expect(load).toThrow('Adam.loadStateDict: state 0.step must be a number or a one-element tensor');
  });
});
