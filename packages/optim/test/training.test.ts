/** End to end: the README's training loop fits a small regression in a few hundred steps. */
import { Adam, CosineAnnealingLR, clipGradNorm, LinearLR, SequentialLR } from '@tensorloom/optim';
import { Generator, randn, zeros } from '@tensorloom/tensor';
import { expect, it } from 'vitest';

it('Adam + warm-up/cosine + clipGradNorm fits y = x·w + b', () => {
  const generator = new Generator(7);
  const x = randn([64, 3], { generator }); // [B, 3]
  const wTrue = randn([3, 1], { generator });
  const y = x.matmul(wTrue).add(0.5); // [B, 1]
  const w = zeros([3, 1], { requiresGrad: true });
  const b = zeros([1], { requiresGrad: true });
  const opt = new Adam([w, b], { lr: 0.1 });
  const scheduler = new SequentialLR(
    opt,
    [new LinearLR(opt, { startFactor: 0.1, totalIters: 10 }), new CosineAnnealingLR(opt, { tMax: 290 })],
    [10],
  );
  let loss = Number.POSITIVE_INFINITY;
  for (let step = 0; step < 300; step++) {
    opt.zeroGrad();
    const err = x.matmul(w).add(b).sub(y); // [B, 1]
    const l = err.mul(err).mean();
    l.backward();
    clipGradNorm([w, b], 1.0);
    opt.step();
    scheduler.step();
    loss = l.item();
  }
  expect(loss).toBeLessThan(1e-4);
  expect(w).toBeAllClose(wTrue, { atol: 1e-2 });
  expect(b).toBeAllClose([0.5], { atol: 1e-2 });
});
