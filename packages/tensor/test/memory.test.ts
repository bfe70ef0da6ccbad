/**
 * Memory stays flat over thousands of training steps: backward() releases the graph, and nothing global keeps
 * tensors alive. Uses V8's gc() (exposed at run time) so the numbers measure live memory, not garbage.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Generator, getBackend, noGrad, randn, type Tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function liveHeap(): Promise<number> {
  // Two rounds with a macrotask between them, so WeakRef targets and finalizers are really let go.
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, arrayBuffers, external } = process.memoryUsage();
  return heapUsed + arrayBuffers + external; // external includes WebAssembly linear memory
}

function makeStep() {
  const g = new Generator(0);
  const w1 = randn([16, 32], { generator: g, requiresGrad: true });
  const b1 = zeros([32], { requiresGrad: true });
  const w2 = randn([32, 4], { generator: g, requiresGrad: true });
  const x = randn([64, 16], { generator: g });
  const y = randn([64, 4], { generator: g });
  const params = [w1, b1, w2];
  return () => {
    const prediction = x.matmul(w1).add(b1).tanh().matmul(w2);
    const loss = prediction.sub(y).square().mean();
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        // SGD: w ← w − lr·∂L/∂w, written into the parameter's storage.
        const updated = p.sub((p.grad as Tensor).mul(0.01));
        p.data.set(updated.data);
        p.grad = null;
      }
    });
    return loss.item();
  };
}

describe('memory', () => {
  it(`stays flat over 10,000 training steps (${getBackend().name} backend)`, async () => {
    const step = makeStep();
    const first = step();
    for (let i = 0; i < 300; i++) step();
    const before = await liveHeap();
    let last = first;
    for (let i = 0; i < 10_000; i++) last = step();
    const after = await liveHeap();
    expect(last).toBeLessThan(first); // it really trained
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
  }, 60_000);

  it('lets the graph of a finished step be collected', async () => {
    const x = randn([8, 8], { requiresGrad: true });
    let intermediate: Tensor | null = x.mul(2).tanh();
    const ref = new WeakRef(intermediate);
    const loss = intermediate.sum();
    intermediate = null;
    loss.backward();
    await liveHeap();
    expect(ref.deref()).toBeUndefined();
    expect(loss.gradFn?.inputs).toEqual([]); // released
  });
});
