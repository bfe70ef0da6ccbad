/**
 * The LSTM time loop split across worker threads (assembly/lstm-sequence.ts via threads/pool.ts's runLstmJob):
 * forward and backward results bit-identical to one thread — each unit block runs the same loop nest over the
 * same depth order whichever thread claims it — over many runs, with padding (and a bias) and in reverse; and a worker that
 * dies holding a task turns threads off without hanging, the sequence recomputed on the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StridedArray } from '../src/backend/backend.js';
import type { StepKernels } from '../src/backend/js/lstm-sequence.js';
import { wasmLstmSequence, wasmLstmSequenceBackward } from '../src/backend/wasm/lstm-sequence.js';
import { LSTM_CLAIM } from '../src/backend/wasm/threads/control.js';
import { setWorkerFactory, workerFactory } from '../src/backend/wasm/threads/platform.js';
import { stopWorkers, threadFailure, threadStats, threadTuning } from '../src/backend/wasm/threads/pool.js';
import { getNumThreads, initThreads, setNumThreads } from '../src/platform/node.js';

/** Deterministic uniform numbers in [-scale, scale). */
function floats(shape: number[], seed: number, scale = 1): StridedArray {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  };
  const data = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, next);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, x) => p * x, 1));
  return { data, shape, strides, offset: 0 };
}

/** Fails the test if the wasm loop falls back to the step kernels. */
const noFallback = new Proxy({} as StepKernels, {
  get: () => () => {
    throw new Error('fell back to the step kernels');
  },
});

// 8 steps × [8, 512]·[512, 128] products: large enough to wake the worker.
const [T, B, H] = [8, 8, 128];
const gx = floats([T, B, 4 * H], 1);
const h0 = floats([B, H], 2, 0.5);
const c0 = floats([B, H], 3, 0.5);
const weightHh = floats([4 * H, H], 4, 0.1);
const dOut = floats([T, B, 2 * H], 5);
const bias = floats([4 * H], 6, 0.5);
const lengths = Int32Array.from([8, 3, 5, 8, 1, 7, 2, 6]);

/** Forward and backward, every output as raw bits. */
function sequence(reverse: boolean, padded: boolean): Uint32Array[] {
  const out = new Float32Array(T * B * 2 * H);
  const saved = new Float32Array(T * B * 5 * H);
  const ls = padded ? lengths : null;
  wasmLstmSequence(noFallback, gx, h0, c0, weightHh, padded ? bias : null, ls, reverse, out, saved);
  const [dGx, dh0, dc0] = [new Float32Array(T * B * 4 * H), new Float32Array(B * H), new Float32Array(B * H)];
  wasmLstmSequenceBackward(noFallback, dOut, out, saved, c0, weightHh, ls, reverse, dGx, dh0, dc0);
  return [out, saved, dGx, dh0, dc0].map((x) => new Uint32Array(x.buffer));
}

function expectSameBits(actual: Uint32Array[], expected: Uint32Array[], what: string): void {
  actual.forEach((bits, k) => {
    const i = bits.findIndex((v, j) => v !== expected[k][j]);
    if (i >= 0) throw new Error(`${what}: output ${k} differs at ${i}`);
  });
}

const nodeFactory = workerFactory();

describe('the LSTM time loop on threads', () => {
  const { wakeProduct, backOff } = threadTuning;
  const cases = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;
  let expected: Uint32Array[][];

  beforeAll(async () => {
    setNumThreads(1);
    expected = cases.map(([reverse, padded]) => sequence(reverse, padded));
    threadTuning.wakeProduct = 0;
    threadTuning.backOff = false; // on a loaded machine some jobs would otherwise run on the caller alone
    setNumThreads(2);
    expect(await initThreads()).toBe(2);
  });

  afterAll(() => {
    threadTuning.wakeProduct = wakeProduct;
    threadTuning.backOff = backOff;
    stopWorkers();
    setWorkerFactory(nodeFactory);
  });

  it('gives the single-threaded bits, forward and backward, with padding and in reverse, run after run', () => {
    const before = threadStats().jobs;
    for (let run = 0; run < 10; run++) {
      cases.forEach(([reverse, padded], k) => {
        expectSameBits(
          sequence(reverse, padded),
          expected[k],
          `run ${run}, reverse ${reverse}, padded ${padded}`,
        );
      });
    }
    expect(threadStats().jobs - before).toBe(10 * cases.length * 2);
    expect(threadFailure()).toBeNull();
  });

  it('keeps sequences with small steps on the calling thread', () => {
    // [4, 32]·[32, 8] per step: waiting for each other at every step would cost more than splitting saves.
    const [t, b, h] = [6, 4, 8];
    const out = new Float32Array(t * b * 2 * h);
    const before = threadStats().jobs;
    wasmLstmSequence(
      noFallback,
      floats([t, b, 4 * h], 6),
      floats([b, h], 7),
      floats([b, h], 8),
      floats([4 * h, h], 9),
      floats([4 * h], 10),
      null,
      false,
      out,
      null,
    );
    expect(threadStats().jobs).toBe(before);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('does not hang, and recomputes alone, when a worker dies holding a task', async () => {
    // The worker claims an LSTM task the way the kernels do (compare-exchange of the tagged counter; one of the
    // first 2·T, which every job has), then exits.
    const prelude = `
      const RealInstance = WebAssembly.Instance;
      WebAssembly.Instance = function (module, imports) {
        const { exports } = new RealInstance(module, imports);
        const memory = imports.env.memory;
        const work = (control, thread, seq) => {
          const claim = new BigInt64Array(memory.buffer, control + ${LSTM_CLAIM * 4}, 1);
          const next = Atomics.load(claim, 0);
          const open = Number(next >> BigInt(32)) === seq && Number(next & BigInt(0xffffffff)) < ${T * 2};
          if (open && Atomics.compareExchange(claim, 0, next, next + BigInt(1)) === next) {
            process.exit(7);
          }
          return exports.work(control, thread, seq);
        };
        return { exports: { ...exports, work } };
      };`;
    stopWorkers();
    setWorkerFactory({
      hardwareConcurrency: 2,
      create: (source, events) => nodeFactory!.create(`${prelude}\n${source}`, events),
    });
    setNumThreads(2);
    expect(await initThreads()).toBe(2);
    const started = Date.now();
    // The caller may claim every task before the worker wakes: run until the worker has claimed one and died.
    for (let i = 0; threadFailure() === null && Date.now() - started < 20_000; i++) {
      expectSameBits(sequence(false, true), expected[2], `sequence ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The caller noticed in linear memory, by itself: the worker's exit event cannot arrive while it waits.
    expect(threadFailure()).toMatch(/stopped in the middle of an LSTM task/);
    expect(getNumThreads()).toBe(1);
    expectSameBits(sequence(false, true), expected[2], 'after');
  }, 40_000);
});
