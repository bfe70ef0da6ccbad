/**
 * @file Cells and layers against PyTorch: every case in fixtures/rnn.json is rebuilt as a Tensorloom module,
 * loaded with PyTorch's state dict (strict), run on the same input, initial states and lengths, and
 * backpropagated with Σ_k sum(output_k · R_k); outputs, final states and the gradients of the input, the initial
 * states and every parameter must match at rtol 1e-4, atol 1e-5.
 */
import type { LSTM } from '@tensorloom/nn-rnn';
import { type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { buildModule, expectMatches, fixtures, fromSpec, runModule } from './fixture.js';

describe(`nn-rnn vs PyTorch ${fixtures.torch} (fixtures/rnn.json)`, () => {
  it('covers every cell and layer type and every layer option', () => {
    const types = new Set(fixtures.cases.map((c) => c.module.type));
    for (const type of ['RNNCell', 'LSTMCell', 'GRUCell', 'RNN', 'LSTM', 'GRU'])
      expect(types).toContain(type);
    for (const type of ['RNN', 'LSTM', 'GRU']) {
      const layers = fixtures.cases.filter((c) => c.module.type === type).map((c) => ({ ...c, m: c.module }));
      const has = (pred: (c: (typeof layers)[number]) => boolean) =>
        expect(layers.some(pred), type).toBe(true);
      has((c) => 'numLayers' in c.m && c.m.numLayers === 2);
      has((c) => 'bidirectional' in c.m && c.m.bidirectional === true && c.lengths !== null);
      has((c) => 'batchFirst' in c.m && c.m.batchFirst === true && c.lengths !== null);
      has((c) => c.m.bias === false);
      has((c) => c.state === null);
      has((c) => c.input.shape.length === 2);
      has((c) => c.lengths !== null && Math.max(...c.lengths) < c.input.shape[0]);
    }
  });

  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const module = buildModule(c.module);
    expect(module.namedParameters().map(([name]) => name)).toEqual(c.stateDictKeys);
    expect(Object.keys(module.stateDict())).toEqual(c.stateDictKeys);
    const params = Object.fromEntries(module.namedParameters());
    module.loadStateDict(Object.fromEntries(c.stateDictKeys.map((k) => [k, fromSpec(c.stateDict[k])])));
    module.eval();

    const x = fromSpec(c.input, true);
    const state = c.state?.map((s) => fromSpec(s, true)) ?? null;
    const outputs = runModule(module, c.module.type, x, state, c.lengths);
    expect(outputs).toHaveLength(c.outputs.length);
    outputs.forEach((o, k) => {
      expectMatches(o, c.outputs[k], `output ${k}`);
    });

    let loss: Tensor | null = null;
    outputs.forEach((o, k) => {
      const term = o.mul(fromSpec(c.cotangents[k])).sum();
      loss = loss ? loss.add(term) : term;
    });
    (loss as unknown as Tensor).backward();
    expectMatches(x.grad, c.grads.input, 'grad of input');
    state?.forEach((s, k) => {
      expectMatches(s.grad, (c.grads.state ?? [])[k], `grad of state ${k}`);
    });
    for (const key of c.stateDictKeys) expectMatches(params[key].grad, c.grads.params[key], `grad of ${key}`);
  });

  it('accepts lengths as an int32 tensor as well as numbers', () => {
    const c = fixtures.cases.find((k) => k.lengths !== null && k.module.type === 'LSTM');
    if (!c) throw new Error('no LSTM case with lengths');
    const module = buildModule(c.module);
    module.loadStateDict(Object.fromEntries(c.stateDictKeys.map((k) => [k, fromSpec(c.stateDict[k])])));
    const lengths = tensor(c.lengths as number[], { dtype: 'int32' });
    const state = c.state?.map((s) => fromSpec(s)) ?? null;
    const x = fromSpec(c.input);
    const asNumbers = runModule(module, c.module.type, x, state, c.lengths);
    const [output] = (module as LSTM).forward(x, state ? [state[0], state[1]] : null, { lengths });
    expect(output).toBeAllClose(asNumbers[0], { rtol: 0, atol: 0 });
  });
});
