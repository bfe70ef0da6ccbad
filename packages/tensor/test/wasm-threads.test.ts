/**
 * The wasm matmul split across worker threads: results bit-identical to one thread (each output element is
 * computed by exactly one task, with the same loop nest and depth order) for every layout, odd and skinny sizes
 * and batches; setNumThreads(1) turns threads off; start-up never blocks; a worker that cannot start, throws or
 * dies mid-task turns threads off without hanging and the product is still right; 10,000 threaded products leak
 * nothing; and a process that used threads exits on its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StridedArray } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { loadKernels, loadSharedKernels } from '../src/backend/wasm/loader.js';
import { CONTROL_WORDS, COUNT, STATE } from '../src/backend/wasm/threads/control.js';
import { setWorkerFactory, type WorkerFactory, workerFactory } from '../src/backend/wasm/threads/platform.js';
import { stopWorkers, threadFailure, threadStats, threadTuning } from '../src/backend/wasm/threads/pool.js';
import { getNumThreads, initThreads, setNumThreads, wasmBackend } from '../src/platform/node.js';

/** Deterministic uniform numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** A [...batch, rows, cols] float32 operand; `transposed`: each matrix stored column-major, as tensor.t() views. */
function operand(
  batch: number[],
  rows: number,
  cols: number,
  transposed: boolean,
  seed: number,
): StridedArray {
  const rand = rng(seed);
  const matrix = rows * cols;
  const entries = batch.reduce((p, d) => p * d, 1);
  const data = Float32Array.from({ length: entries * matrix }, rand);
  const batchStrides = batch.map((_, d) => batch.slice(d + 1).reduce((p, x) => p * x, matrix));
  const strides = transposed ? [1, rows] : [cols, 1];
  return { data, shape: [...batch, rows, cols], strides: [...batchStrides, ...strides], offset: 0 };
}

/** The product through the backend, as raw bits (so equality is bit-identity, NaN payloads and -0 included). */
function product(a: StridedArray, b: StridedArray): Uint32Array {
  const rank = a.shape.length;
  const batch = a.shape.slice(0, rank - 2).reduce((p, d) => p * d, 1);
  const out = new Float32Array(batch * a.shape[rank - 2] * b.shape[rank - 1]);
  wasmBackend.matmul(a, b, out);
  return new Uint32Array(out.buffer);
}

/** Asserts bit-identity, naming the first element that differs (much faster than toEqual on large arrays). */
function expectSameBits(got: Uint32Array, expected: Uint32Array, label: string): void {
  expect(got.length, label).toBe(expected.length);
  const at = got.findIndex((bits, i) => bits !== expected[i]);
  const where = at < 0 ? '' : `element ${at}: ${got[at].toString(16)} ≠ ${expected[at].toString(16)}`;
  expect(where, label).toBe('');
}

/**
 * Runs fn with threads on and checks that it really ran on them (at least one job). setNumThreads also clears
 * any back-off from products that lost to a loaded machine, so the first product is sure to be split.
 */
function threaded<T>(fn: () => T): T {
  setNumThreads(2);
  const before = threadStats().jobs;
  const result = fn();
  expect(threadStats().jobs).toBeGreaterThan(before);
  return result;
}

function singleThreaded<T>(fn: () => T): T {
  setNumThreads(1);
  const before = threadStats().jobs;
  const result = fn();
  expect(threadStats().jobs).toBe(before);
  return result;
}

const nodeFactory = workerFactory();

/** The Node factory, with `prelude` evaluated in each worker before the real worker source. */
function factoryWithPrelude(prelude: string): WorkerFactory {
  if (!nodeFactory) throw new Error('the Node entry installs a worker factory');
  return {
    hardwareConcurrency: nodeFactory.hardwareConcurrency,
    create: (source, events) => nodeFactory.create(`${prelude}\n${source}`, events),
  };
}

/** A prelude that replaces the kernels' `work` export in the worker by `body(control, thread, seq, words)`. */
function replaceWork(body: string): string {
  return `
    const RealInstance = WebAssembly.Instance;
    WebAssembly.Instance = function (module, imports) {
      const { exports } = new RealInstance(module, imports);
      const memory = imports.env.memory;
      const work = (control, thread, seq) => {
        const words = new Int32Array(memory.buffer, control, ${CONTROL_WORDS});
        ${body}
      };
      return { exports: { ...exports, work } };
    };`;
}

/** Replaces the workers by ones from `factory`, and resolves to the threads in use once they are up. */
async function restartThreads(factory: WorkerFactory | null): Promise<number> {
  stopWorkers();
  setWorkerFactory(factory);
  setNumThreads(2);
  return initThreads();
}

describe('wasm matmul on threads', () => {
  const { wakeProduct } = threadTuning;

  beforeAll(() => {
    setNumThreads(2);
    threadTuning.wakeProduct = 0; // small products too wake the worker, so each one is surely split
  });

  afterAll(() => {
    threadTuning.wakeProduct = wakeProduct;
  });

  it('starts workers lazily and never waits for them: the first large product runs on the caller', async () => {
    expect(threadStats()).toEqual({ jobs: 0, workers: 0, ready: 0 });
    const a = operand([], 300, 200, false, 1);
    const b = operand([], 200, 250, false, 2);
    const got = new Float32Array(300 * 250);
    wasmBackend.matmul(a, b, got);
    // The workers were started by that call, and it returned before any of them could be ready.
    expect(threadStats()).toEqual({ jobs: 0, workers: 1, ready: 0 });
    const expected = new Float32Array(300 * 250);
    jsBackend.matmul(a, b, expected);
    expect(got).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-4 });
    expect(await initThreads()).toBe(2);
    expect(threadStats()).toMatchObject({ workers: 1, ready: 1 });
  });

  it('gives bit-identical results to one thread for every layout, odd and skinny sizes', async () => {
    await initThreads();
    const shapes = [
      [64, 64, 64], // the smallest product that is split
      [65, 67, 69],
      [257, 129, 300], // past the A block (MC 128) and a depth block (KC 256): later depth blocks accumulate
      [100, 1030, 33], // cut by columns, past the B panel (NC 512)
      [1000, 40, 70], // cut by rows
      [3, 2000, 100], // fewer rows than a tile: the unpacked kernels, cut by columns
      [1, 3001, 90],
      [900, 1, 400], // matrix · vector, cut by rows
      [40, 40, 2000], // deep: eight depth blocks
    ];
    let seed = 10;
    for (const [m, k, n] of shapes) {
      for (const [ta, tb] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ]) {
        const a = operand([], m, k, ta, seed++);
        const b = operand([], k, n, tb, seed++);
        const one = singleThreaded(() => product(a, b));
        const two = threaded(() => product(a, b));
        expectSameBits(two, one, `${m}×${k}×${n}, A${ta ? 'ᵀ' : ''}·B${tb ? 'ᵀ' : ''}`);
      }
    }
  });

  it('gives bit-identical results for batches: whole entries per task, or entries cut up', async () => {
    await initThreads();
    // Entries of at least 64³ multiply-adds: smaller ones stay on the calling thread (below).
    const cases: [number[], number, number, number, boolean][] = [
      [[6], 64, 70, 60, false], // at least as many entries as tasks: whole entries
      [[2, 3], 65, 65, 64, true],
      [[3], 200, 64, 130, false], // fewer entries than tasks: each entry cut by columns
    ];
    for (const [batch, m, k, n, transposed] of cases) {
      const a = operand(batch, m, k, transposed, 1);
      const b = operand(batch, k, n, false, 2);
      const one = singleThreaded(() => product(a, b));
      const two = threaded(() => product(a, b));
      expectSameBits(two, one, `${batch}×${m}×${k}×${n}`);
    }
    // B expanded over the batch (stride 0), as broadcasting matmul makes it.
    const a = operand([4], 70, 90, false, 3);
    const b = operand([], 90, 110, true, 4);
    const expanded = { ...b, shape: [4, ...b.shape], strides: [0, ...b.strides] };
    const one = singleThreaded(() => product(a, expanded));
    expectSameBits(
      threaded(() => product(a, expanded)),
      one,
      'B expanded over the batch',
    );
  });

  it('keeps a batch of small entries on the calling thread, however many there are', async () => {
    await initThreads();
    setNumThreads(2);
    for (const [batch, m, k, n] of [
      [[1000], 9, 9, 9], // 8×8×8 and below would go to the portable kernel
      [[128], 32, 64, 32], // attention's per-head scores
    ] as [number[], number, number, number][]) {
      const a = operand(batch, m, k, false, 5);
      const b = operand(batch, k, n, true, 6);
      const before = threadStats().jobs;
      const two = product(a, b);
      expect(threadStats().jobs).toBe(before);
      expectSameBits(
        two,
        singleThreaded(() => product(a, b)),
        `${batch}×${m}×${k}×${n}`,
      );
    }
  });

  it('keeps working when a product grows the shared memory under the running workers', async () => {
    await initThreads();
    const memory = loadSharedKernels()!.exports.memory;
    const bytes = memory.buffer.byteLength;
    const a = operand([], 1100, 1000, false, 5);
    const b = operand([], 1000, 1200, true, 6);
    const two = threaded(() => product(a, b));
    expect(memory.buffer.byteLength).toBeGreaterThan(bytes);
    expectSameBits(
      two,
      singleThreaded(() => product(a, b)),
      '1100×1000×1200',
    );
  });

  it('announces a product before copying its operands in; workers start on it only once the copy is done', async () => {
    await initThreads();
    const a = operand([], 256, 256, false, 21);
    const b = operand([], 256, 256, true, 22);
    const expected = singleThreaded(() => product(a, b));
    // Leaves other operands where a and b will be copied: a worker starting early would multiply those.
    threaded(() => product(operand([], 256, 256, false, 23), operand([], 256, 256, true, 24)));
    // a's copy takes 30 ms, so the worker, woken by the announcement, is ready long before the operands are.
    const data = a.data as Float32Array<ArrayBuffer>;
    const slowData = new Float32Array(data);
    slowData.subarray = (start?: number, end?: number) => {
      for (const until = Date.now() + 30; Date.now() < until; );
      return data.subarray(start, end) as Float32Array<ArrayBuffer>;
    };
    expectSameBits(
      threaded(() => product({ ...a, data: slowData }, b)),
      expected,
      'product',
    );
  });

  it('keeps work on the calling thread off the shared memory (copies into it are slower)', async () => {
    await initThreads();
    const own = loadKernels()!;
    const shared = loadSharedKernels()!;
    expect(own.shared).toBeNull();
    expect(shared.shared?.memory).toBe(shared.exports.memory);
    expect(shared.variant).toBe(own.variant);
    // A split product runs on the shared kernels; a product on one thread uses the calling thread's own memory.
    const marker = Math.fround(1234.5678);
    const used = (memory: { buffer: ArrayBufferLike }) => new Float32Array(memory.buffer).includes(marker);
    const marked = (rows: number, cols: number) => ({
      data: new Float32Array(rows * cols).fill(marker),
      shape: [rows, cols],
      strides: [cols, 1],
      offset: 0,
    });
    threaded(() => wasmBackend.matmul(marked(256, 256), marked(256, 256), new Float32Array(256 * 256)));
    expect(used(shared.exports.memory)).toBe(true);
    expect(used(own.exports.memory)).toBe(false);
    singleThreaded(() => wasmBackend.matmul(marked(16, 16), marked(16, 16), new Float32Array(16 * 16)));
    expect(used(own.exports.memory)).toBe(true);
  });

  it('setNumThreads(1) turns threads off, and rejects counts that are not 1 … 64', async () => {
    await initThreads();
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    singleThreaded(() => product(operand([], 200, 200, false, 7), operand([], 200, 200, false, 8)));
    expect(() => setNumThreads(0)).toThrow('setNumThreads: expected an integer from 1 to 64 (got 0)');
    expect(() => setNumThreads(1.5)).toThrow('setNumThreads: expected an integer from 1 to 64 (got 1.5)');
    expect(() => setNumThreads(65)).toThrow('(got 65)');
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
  });

  it('runs 10,000 threaded products without growing memory, the heap or the pool', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const liveHeap = async () => {
      for (let i = 0; i < 2; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().heapUsed;
    };
    await initThreads();
    const a = operand([], 72, 72, false, 9);
    const b = operand([], 72, 72, true, 10);
    const out = new Float32Array(72 * 72);
    for (let i = 0; i < 100; i++) wasmBackend.matmul(a, b, out);
    const memory = loadSharedKernels()!.exports.memory;
    const bytes = memory.buffer.byteLength;
    const before = threadStats();
    const heap = await liveHeap();
    threadTuning.backOff = false; // on a loaded machine some products would otherwise run on the caller alone
    try {
      for (let i = 0; i < 10_000; i++) wasmBackend.matmul(a, b, out);
    } finally {
      threadTuning.backOff = true;
    }
    expect((await liveHeap()) - heap).toBeLessThan(2 * 1024 * 1024);
    expect(memory.buffer.byteLength).toBe(bytes);
    expect(threadStats()).toEqual({ ...before, jobs: before.jobs + 10_000 });
  }, 60_000);
});

describe('wasm matmul threads failing', () => {
  const a = operand([], 256, 256, false, 11);
  const b = operand([], 256, 256, true, 12);
  let expected: Uint32Array;

  beforeAll(() => {
    expected = singleThreaded(() => product(a, b));
  });

  afterAll(() => {
    stopWorkers();
    setWorkerFactory(nodeFactory);
  });

  it('stays single-threaded if workers cannot be created', async () => {
    await restartThreads({
      hardwareConcurrency: 2,
      create: () => {
        throw new Error('no workers here');
      },
    });
    expectSameBits(product(a, b), expected, 'product');
    expect(threadFailure()).toMatch(/no workers here/);
    expect(getNumThreads()).toBe(1);
  });

  it('stays single-threaded if a worker dies while starting', async () => {
    expect(await restartThreads(factoryWithPrelude('process.exit(3);'))).toBe(1);
    expect(threadFailure()).toMatch(/exited with code 3/);
    expectSameBits(product(a, b), expected, 'product');
  });

  it('turns threads off, and recomputes, when a worker throws in a job', async () => {
    expect(await restartThreads(factoryWithPrelude(replaceWork("throw new Error('kernel trap');")))).toBe(2);
    const started = Date.now();
    // Seen by the caller while it waits (FAILED); or, if the caller took every task before the worker woke,
    // reported by message once the caller yields.
    for (let i = 0; i < 20 && threadFailure() === null; i++) {
      expectSameBits(product(a, b), expected, `product ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expect(threadFailure()).toMatch(/a worker thread threw|kernel trap/);
    expect(getNumThreads()).toBe(1);
    expectSameBits(product(a, b), expected, 'after');
  });

  it('does not hang, and recomputes, when a worker dies holding a task', async () => {
    // The worker claims a task the way the kernels do (compare-exchange of its state), then exits.
    const claimAndDie = `
      for (let i = 0; i < words[${COUNT}]; i++) {
        if (Atomics.compareExchange(words, ${STATE} + i, seq, 0) === seq) process.exit(7);
      }`;
    expect(await restartThreads(factoryWithPrelude(replaceWork(claimAndDie)))).toBe(2);
    const started = Date.now();
    // The caller may claim every task before the worker wakes (then the worker holds none, and after a lost
    // job threads back off for up to a second): keep multiplying until the worker has claimed one and died.
    for (let i = 0; threadFailure() === null && Date.now() - started < 8000; i++) {
      expectSameBits(product(a, b), expected, `product ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(threadFailure()).toMatch(/stopped in the middle of a task|exited with code 7/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expectSameBits(product(a, b), expected, 'after');
  }, 20_000);

  it('uses threads again after setNumThreads re-arms them', async () => {
    expect(await restartThreads(nodeFactory)).toBe(2);
    expectSameBits(
      threaded(() => product(a, b)),
      expected,
      'product',
    );
  });
});

describe('a process using threads', () => {
  let dir: string;

  /** src/ compiled to plain JavaScript (types stripped, nothing else) in a temporary directory. */
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorloom-threads-'));
    const src = fileURLToPath(new URL('../src', import.meta.url));
    const walk = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)],
      );
    for (const file of walk(src).filter((f) => f.endsWith('.ts'))) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      const target = join(dir, relative(src, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(script: string): string {
    const file = join(dir, 'main.js');
    writeFileSync(file, `import * as tl from './platform/node.js';\n${script}`);
    // Throws if the process fails or is still running after the timeout.
    const env = { ...process.env, TENSORLOOM_NUM_THREADS: '2' };
    return execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000, env });
  }

  it('exits on its own after threaded products (the workers do not keep it alive)', () => {
    const output = run(`
      const a = tl.randn([300, 300]);
      a.matmul(a);
      console.log(await tl.initThreads());
      a.matmul(a);
      console.log('done');`);
    expect(output).toBe('2\ndone\n');
  });

  it('exits on its own while workers are still starting', () => {
    expect(run("tl.randn([300, 300]).matmul(tl.randn([300, 300])); console.log('done');")).toBe('done\n');
  });
});
