#!/usr/bin/env node
import { availableParallelism, loadavg } from 'node:os';
import { loadKernels } from '../dist/backend/wasm/loader.js';
/**
 * @file Quick GFLOPS check of the wasm float32 matmul (the real benchmark table lives in benchmarks/).
 * Median of 7 timed runs for A·B, A·Bᵀ and Aᵀ·B (transposes as strided views) at n = 64 … 1024, through the
 * public API (`a.matmul(b)` on the wasm backend): on one thread, next to the bare kernel on operands already in
 * linear memory (the difference is the cost of copying operands in and the product out), and on all threads.
 * One- and multi-threaded runs alternate, so a burst of load from elsewhere hits both.
 *
 *   pnpm --filter @tensorloom/tensor build
 *   node packages/tensor/scripts/bench-wasm-matmul.mjs                 # best build the engine accepts
 *   node packages/tensor/scripts/bench-wasm-matmul.mjs --variant simd  # force plain SIMD128
 *   node packages/tensor/scripts/bench-wasm-matmul.mjs --threads 4     # default: the package default
 *   node --experimental-wasm-relaxed-simd packages/tensor/scripts/bench-wasm-matmul.mjs   # Node 20: relaxed
 */
import {
  getNumThreads,
  initThreads,
  initWasmBackend,
  noGrad,
  randn,
  setBackend,
  setNumThreads,
} from '../dist/platform/node.js';

const sizes = [64, 128, 256, 512, 1024];
const layouts = ['A·B', 'A·Bᵀ', 'Aᵀ·B'];

function flag(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Batches of ~2·10⁸ flops; at least 300 ms of warm-up, so V8 tiers up the wasm and the JS op path around it. */
function batch(fn, flops) {
  const reps = Math.max(1, Math.round(2e8 / flops));
  return {
    warmUp() {
      for (const start = performance.now(); performance.now() - start < 300; ) fn();
    },
    /** Seconds per call over one batch. */
    time() {
      const start = performance.now();
      for (let i = 0; i < reps; i++) fn();
      return (performance.now() - start) / 1000 / reps;
    },
  };
}

const median = (times) => [...times].sort((x, y) => x - y)[3];

/** The operands of one layout as tensors: the transposed one is a view with strides [1, n]. */
function operands(n, layout) {
  const a = randn([n, n], { dtype: 'float32' });
  const b = randn([n, n], { dtype: 'float32' });
  if (layout === 'A·Bᵀ') return [a, b.transpose(0, 1)];
  if (layout === 'Aᵀ·B') return [a.transpose(0, 1), b];
  return [a, b];
}

/**
 * The bare kernel on operands placed once at the top of linear memory, past anything the op path uses at this
 * size (its control block and work regions sit at heapBase), with their own work region.
 */
function kernelOnly(n, layout) {
  const { exports } = loadKernels();
  const work = exports.memory.buffer.byteLength;
  exports.memory.grow(Math.ceil((exports.workBytes() + 3 * n * n * 4) / 65536));
  const heap = new Float32Array(exports.memory.buffer);
  const a = work + exports.workBytes();
  const b = a + n * n * 4;
  const c = b + n * n * 4;
  for (let i = a / 4; i < c / 4; i++) heap[i] = Math.random() - 0.5;
  const [aRow, aCol] = layout === 'Aᵀ·B' ? [1, n] : [n, 1];
  const [bRow, bCol] = layout === 'A·Bᵀ' ? [1, n] : [n, 1];
  return () => exports.matmul(n, n, n, a, aRow, aCol, b, bRow, bCol, c, n, work);
}

const variant = await initWasmBackend(flag('--variant') ? { variant: flag('--variant') } : {});
if (!variant) throw new Error('bench-wasm-matmul: this engine runs no build of the wasm kernels');
if (flag('--threads')) setNumThreads(Number(flag('--threads')));
const threads = await initThreads();
setBackend('wasm');
const load = loadavg().map((x) => x.toFixed(1));
console.log(
  `wasm kernels: ${variant} (node ${process.version}), ${availableParallelism()} CPUs, load ${load}`,
);
console.log(`GFLOPS, median of 7: 1 thread, full op / kernel only → ${threads} threads, full op`);
console.log(['n'.padStart(5), ...layouts.map((l) => l.padStart(22))].join(''));
noGrad(() => {
  for (const n of sizes) {
    const flops = 2 * n ** 3;
    const cells = layouts.map((layout) => {
      const [a, b] = operands(n, layout);
      const kernel = batch(kernelOnly(n, layout), flops);
      const full = batch(() => a.matmul(b), flops);
      const times = { one: [], all: [], kernel: [] };
      kernel.warmUp();
      setNumThreads(1);
      full.warmUp();
      setNumThreads(threads);
      full.warmUp();
      for (let r = 0; r < 7; r++) {
        times.kernel.push(kernel.time());
        setNumThreads(1);
        times.one.push(full.time());
        setNumThreads(threads);
        times.all.push(full.time());
      }
      const [one, bare, all] = [times.one, times.kernel, times.all].map((t) => flops / median(t) / 1e9);
      return `${one.toFixed(1)} / ${bare.toFixed(1)} → ${all.toFixed(1)}`.padStart(22);
    });
    console.log([String(n).padStart(5), ...cells].join(''));
  }
});
if (getNumThreads() !== threads) console.log(`threads turned off during the run: ${getNumThreads()}`);
console.log(`load after: ${loadavg().map((x) => x.toFixed(1))}`);
