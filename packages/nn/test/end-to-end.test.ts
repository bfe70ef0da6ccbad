/**
 * @file The README's end-to-end example, kept honest: define an MLP, train it with Adam and a schedule, save
 * the weights as safetensors, reload them into a fresh model and get the same predictions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossEntropy } from '@tensorloom/losses';
import { Linear, ReLU, Sequential } from '@tensorloom/nn';
import { loadSafetensors, saveSafetensors } from '@tensorloom/nn/node';
import { Adam, StepLR } from '@tensorloom/optim';
import { Generator, manualSeed, noGrad, type Tensor, tensor } from '@tensorloom/tensor';
import { afterAll, describe, expect, it } from 'vitest';

/** Three Gaussian blobs in the plane, one per class. */
function blobs(pointsPerClass: number, generator: Generator): { x: Tensor; y: Tensor } {
  const centres = [
    [0, 2],
    [-2, -1],
    [2, -1],
  ];
  const points: number[][] = [];
  const labels: number[] = [];
  centres.forEach(([cx, cy], label) => {
    for (let i = 0; i < pointsPerClass; i++) {
      points.push([cx + 0.6 * generator.normal(), cy + 0.6 * generator.normal()]);
      labels.push(label);
    }
  });
  return { x: tensor(points), y: tensor(labels, { dtype: 'int32' }) };
}

const makeModel = () => new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));

const directory = await mkdtemp(join(tmpdir(), 'tensorloom-nn-e2e-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('end to end: train, save, reload', () => {
  it('trains an MLP with Adam + StepLR, and the reloaded model predicts exactly the same', async () => {
    manualSeed(0);
    const { x, y } = blobs(50, new Generator(1));
    const model = makeModel();
    const optimizer = new Adam(model.parameters(), { lr: 0.05 });
    const scheduler = new StepLR(optimizer, { stepSize: 100, gamma: 0.5 });

    const firstLoss = crossEntropy(model.forward(x), y).item();
    let loss = firstLoss;
    for (let step = 0; step < 200; step++) {
      optimizer.zeroGrad();
      const batchLoss = crossEntropy(model.forward(x), y); // [] mean over the 150 points
      batchLoss.backward();
      optimizer.step();
      scheduler.step();
      loss = batchLoss.item();
    }
    expect(loss).toBeLessThan(firstLoss / 5);
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(0.0125, 12); // halved at steps 100 and 200

    const predictions = noGrad(() => model.forward(x).argmax(-1));
    const accuracy = predictions.eq(y).float().mean().item();
    expect(accuracy).toBeGreaterThan(0.95);

    const path = join(directory, 'mlp.safetensors');
    await saveSafetensors(path, model.stateDict(), { steps: '200' });

    manualSeed(123); // a differently initialised model, so the load must do all the work
    const reloaded = makeModel();
    const { tensors, metadata } = await loadSafetensors(path);
    expect(metadata).toEqual({ steps: '200' });
    expect(reloaded.loadStateDict(tensors)).toEqual({ missingKeys: [], unexpectedKeys: [] });

    const before = noGrad(() => model.forward(x));
    const after = noGrad(() => reloaded.eval().forward(x));
    expect(after.toArray()).toEqual(before.toArray()); // bit-identical logits
  });
});
