#!/usr/bin/env node
import { loadKernels } from '../dist/backend/wasm/loader.js';
/**
 * @file Quick GFLOPS check of the wasm float32 matmul (the real benchmark table lives in benchmarks/).
 * Median of 7 timed runs for A·B, A·Bᵀ and Aᵀ·B (transposes as strided views) at n = 64 … 1024, through the
 * public API (`a.matmul(b)` with the wasm backend selected), next to the bare kernel on operands already in
 * linear memory, so the difference is the cost of copying operands in and the product out.
 *
 *   pnpm --filter @tensorloom/tensor build
 *   node packages/tensor/scripts/bench-wasm-matmul.mjs                 # best build the engine accepts
 *   node packages/tensor/scripts/bench-wasm-matmul.mjs --variant simd  # force plain SIMD128
 *   node --experimental-wasm-relaxed-simd packages/tensor/scripts/bench-wasm-matmul.mjs   # Node 20: relaxed
 */
import { initWasmBackend, noGrad, randn, registerBackend, setBackend, wasmBackend } from '../dist/index.js';

const sizes = [64, 128, 256, 512, 1024];
const layouts = ['A·B', 'A·Bᵀ', 'Aᵀ·B'];

/** Median seconds per call of fn over 7 batches of ~2·10⁸ flops each, after a warm-up of at least 300 ms. */
function medianSeconds(fn, flops) {
  const reps = Math.max(1, Math.round(2e8 / flops));
  // Warm up long enough for V8 to tier up both the wasm (Liftoff → TurboFan) and the JS op path around it.
  for (const start = performance.now(); performance.now() - start < 300; ) fn();
  const times = [];
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    times.push((performance.now() - start) / 1000 / reps);
  }
  return times.sort((x, y) => x - y)[3];
}

/** The operands of one layout as tensors: the transposed one is a view with strides [1, n]. */
function operands(n, layout) {
  const a = randn([n, n], { dtype: 'float32' });
  const b = randn([n, n], { dtype: 'float32' });
  if (layout === 'A·Bᵀ') return [a, b.transpose(0, 1)];
  if (layout === 'Aᵀ·B') return [a.transpose(0, 1), b];
  return [a, b];
}

/** The bare kernel on operands placed in linear memory once (row/column strides as the layout has them). */
function kernelOnly(n, layout) {
  const { exports } = loadKernels();
  const need = exports.heapBase() + 3 * n * n * 4;
  const have = exports.memory.buffer.byteLength;
  if (need > have) exports.memory.grow(Math.ceil((need - have) / 65536));
  const heap = new Float32Array(exports.memory.buffer);
  const a = exports.heapBase();
  const b = a + n * n * 4;
  const c = b + n * n * 4;
  for (let i = a / 4; i < c / 4; i++) heap[i] = Math.random() - 0.5;
  const [aRow, aCol] = layout === 'Aᵀ·B' ? [1, n] : [n, 1];
  const [bRow, bCol] = layout === 'A·Bᵀ' ? [1, n] : [n, 1];
  return () => exports.matmul(n, n, n, a, aRow, aCol, b, bRow, bCol, c);
}

const variantFlag = process.argv.indexOf('--variant');
const variant = await initWasmBackend(variantFlag >= 0 ? { variant: process.argv[variantFlag + 1] } : {});
if (!variant) throw new Error('bench-wasm-matmul: this engine runs no build of the wasm kernels');
registerBackend(wasmBackend);
setBackend('wasm');
console.log(`wasm kernels: ${variant} (node ${process.version}); GFLOPS, median of 7: full op / kernel only`);
console.log(['n'.padStart(5), ...layouts.map((l) => l.padStart(15))].join(''));
noGrad(() => {
  for (const n of sizes) {
    const flops = 2 * n ** 3;
    const cells = layouts.map((layout) => {
      const [a, b] = operands(n, layout);
      const full = flops / medianSeconds(() => a.matmul(b), flops) / 1e9;
      const kernel = flops / medianSeconds(kernelOnly(n, layout), flops) / 1e9;
      return `${full.toFixed(1)} / ${kernel.toFixed(1)}`.padStart(15);
    });
    console.log([String(n).padStart(5), ...cells].join(''));
  }
});
