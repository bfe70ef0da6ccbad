/**
 * Backend selection, and differential tests: random shapes (odd sizes, 1-element and empty dims), strided views
 * and broadcasting give the same results, forward and backward, on the portable and the WebAssembly backend.
 */
import {
  getBackend,
  listBackends,
  manualSeed,
  noGrad,
  randn,
  setBackend,
  type Tensor,
  TensorloomError,
} from '@tensorloom/tensor';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

const initial = getBackend().name;
afterEach(() => setBackend(initial));

describe('backend selection', () => {
  it('starts on the backend TENSORLOOM_BACKEND names (each test project sets it)', () => {
    expect(initial).toBe(process.env.TENSORLOOM_BACKEND ?? 'wasm');
    expect(listBackends()).toEqual(expect.arrayContaining(['js', 'wasm']));
  });

  it('setBackend switches, and names the registered backends when the name is unknown', () => {
    setBackend('js');
    expect(getBackend().name).toBe('js');
    setBackend('wasm');
    expect(getBackend().name).toBe('wasm');
    expect(() => setBackend('webgpu')).toThrow(TensorloomError);
    expect(() => setBackend('webgpu')).toThrow("setBackend: unknown backend 'webgpu' (registered: js, wasm");
  });
});

/** Runs fn on each backend (forward values and the gradients of sum(out·R) w.r.t. every input). */
function onEachBackend(inputs: Tensor[], fn: (...xs: Tensor[]) => Tensor): Map<string, number[][]> {
  const results = new Map<string, number[][]>();
  for (const name of ['js', 'wasm']) {
    setBackend(name);
    const leaves = inputs.map((x) => x.detach().requiresGrad_());
    const out = fn(...leaves);
    manualSeed(99);
    const weights = noGrad(() => randn(out.shape));
    out.mul(weights).sum().backward();
    results.set(name, [
      Array.from(out.contiguous().dataSync()),
      ...leaves.map((l) => Array.from(l.grad?.contiguous().dataSync() ?? [])),
    ]);
  }
  return results;
}

function expectSame(results: Map<string, number[][]>, tolerance: number): void {
  const [js, wasm] = [results.get('js') ?? [], results.get('wasm') ?? []];
  expect(wasm.length).toBe(js.length);
  js.forEach((expected, i) => {
    expect(wasm[i]).toBeAllClose(expected, { rtol: tolerance, atol: tolerance });
  });
}

const size = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 1, max: 37 }));
const params = { numRuns: 60, seed: 0x5eed };

describe('differential: js and wasm backends agree', () => {
  it('batched matmul with broadcast batch dims and transposed operands', () => {
    fc.assert(
      fc.property(
        fc.tuple(size, size, size, fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean()),
        ([m, k, n, batch, transposeA, transposeB]) => {
          manualSeed(m * 1000 + k * 10 + n);
          const a = transposeA ? randn([batch, k, m]).transpose(1, 2) : randn([batch, m, k]);
          const b = transposeB ? randn([n, k]).t() : randn([k, n]); // broadcast over the batch
          expectSame(
            onEachBackend([a, b], (x, y) => x.matmul(y)),
            1e-5 * Math.max(1, Math.sqrt(k)),
          );
        },
      ),
      params,
    );
  });

  it('elementwise, broadcasting, reductions and softmax on strided views', () => {
    fc.assert(
      fc.property(fc.tuple(size, size, fc.integer({ min: 1, max: 5 })), ([rows, cols, depth]) => {
        manualSeed(rows * 100 + cols + depth);
        const x = randn([depth, cols, rows]).permute([2, 1, 0]); // [rows, cols, depth], not contiguous
        const bias = randn([cols, 1]); // broadcast over rows and depth
        const fn = (a: Tensor, b: Tensor) => {
          const h = a.add(b).mul(a.sigmoid()).tanh(); // [rows, cols, depth]
          if (cols === 0) return h.sum(2, true); // amax has no identity over an empty dim
          const pooled = h.sum(2, true).add(h.amax(1, true)); // [rows, cols, 1] + [rows, 1, depth]
          return pooled.softmax(1).add(h.logSoftmax(-1)); // [rows, cols, depth]
        };
        expectSame(onEachBackend([x, bias], fn), 1e-5);
      }),
      params,
    );
  });
});
