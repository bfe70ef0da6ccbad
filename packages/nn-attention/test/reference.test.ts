/**
 * @file Every case of the PyTorch fixture: the module loads PyTorch's state dict (same keys, same order), runs
 * on the same inputs and masks, and gives PyTorch's outputs and the gradients of Σ_k sum(output_k · R_k) with
 * respect to every input and parameter (rtol 1e-4, atol 1e-5).
 */
import type { Tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { buildModule, type Case, expectMatches, fixtures, fromSpec, runCase } from './fixture.js';

const byKind = new Map<string, Case[]>();
for (const c of fixtures.cases) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);

describe(`PyTorch ${fixtures.torch} reference`, () => {
  it('covers every kind of module', () => {
    expect([...byKind.keys()].sort()).toEqual(
      ['additive', 'decoderLayer', 'encoderLayer', 'luong', 'mha', 'sdpa', 'transformer'].sort(),
    );
  });

  for (const [kind, cases] of byKind) {
    describe(kind, () => {
      it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
        const module = buildModule(c);
        if (module) {
          expect(Object.keys(module.stateDict())).toEqual(c.stateDictKeys);
          const state = Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, fromSpec(v)]));
          module.loadStateDict(state);
        }
        const inputs: Record<string, Tensor> = {};
        for (const [name, spec] of Object.entries(c.inputs)) inputs[name] = fromSpec(spec, true);
        const masks: Record<string, Tensor> = {};
        for (const [name, spec] of Object.entries(c.masks)) masks[name] = fromSpec(spec);

        const outputs = runCase(c, module, inputs, masks);
        expect(outputs.length).toBe(c.outputs.length);
        outputs.forEach((o, k) => {
          expectMatches(o, c.outputs[k], `output ${k}`);
        });

        const loss = outputs.map((o, k) => o.mul(fromSpec(c.cotangents[k])).sum()).reduce((a, b) => a.add(b));
        loss.backward();
        for (const [name, spec] of Object.entries(c.grads.inputs)) {
          expectMatches(inputs[name].grad, spec, `grad of input ${name}`);
        }
        if (module) {
          const params = Object.fromEntries(module.namedParameters());
          expect(Object.keys(c.grads.params).sort()).toEqual(Object.keys(params).sort());
          for (const [name, spec] of Object.entries(c.grads.params)) {
            expectMatches(params[name].grad, spec, `grad of ${name}`);
          }
        }
      });
    });
  }
});
