/**
 * PyTorch conformance of the optimizers: every case in fixtures/optim.json gives initial parameters, a
 * sequence of gradients (null where a parameter has none that step) and float32 PyTorch's parameters after each
 * step. We replay the steps and compare after every one, and report the worst absolute error per optimizer.
 */
import type { Optimizer } from '@tensorloom/optim';
import type { Tensor } from '@tensorloom/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ATOL,
  constructors,
  fixture,
  fromSpec,
  maxAbsDiff,
  num,
  type OptimizerCase,
  RTOL,
} from './fixture.js';

const worst = new Map<string, { error: number; values: number; exact: number }>();

function build(c: OptimizerCase, params: Tensor[]): Optimizer {
  const spec = c.groups?.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) ?? params;
  return new constructors[c.optimizer](spec, c.options);
}

describe('optimizers match PyTorch (float32, fixtures/optim.json)', () => {
  it('has cases for every optimizer', () => {
    const kinds = new Set(fixture.optimizers.map((c) => c.optimizer));
    expect([...kinds].sort()).toEqual(Object.keys(constructors).sort());
  });

  it.each(fixture.optimizers.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const params = c.params.map((p) => fromSpec(p, true));
    const opt = build(c, params);
    const stats = worst.get(c.optimizer) ?? { error: 0, values: 0, exact: 0 };
    c.steps.forEach((step, k) => {
      params.forEach((p, i) => {
        const g = step.grads[i];
        p.grad = g === null ? null : fromSpec(g);
      });
      opt.step();
      params.forEach((p, i) => {
        const expected = step.params[i].data.map((v) => Math.fround(num(v)));
        const got = p.dataSync();
        stats.error = Math.max(stats.error, maxAbsDiff(got, expected));
        stats.values += expected.length;
        stats.exact += expected.filter((v, j) => v === got[j]).length;
        expect(p, `${c.name}: param ${i} after step ${k + 1}`).toBeAllClose(fromSpec(step.params[i]), {
          atol: ATOL,
          rtol: RTOL,
        });
      });
    });
    worst.set(c.optimizer, stats);
  });

  afterAll(() => {
    const lines = [...worst].map(
      ([name, s]) =>
        `  ${name.padEnd(8)} worst |Δ| ${s.error.toExponential(2)}, bit-exact ${s.exact}/${s.values} values`,
    );
    console.info(`optimizers vs PyTorch ${fixture.torch}:\n${lines.join('\n')}`);
  });
});
