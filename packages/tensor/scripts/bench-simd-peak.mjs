#!/usr/bin/env node
/**
 * @file The float32 peak of WebAssembly SIMD on this machine, per core: a loop of independent multiply-adds on
 * 12 four-lane accumulators (enough to hide the add latency), with nothing else in it — no loads, no stores, no
 * shuffles. No kernel can beat it, so FLOPs ÷ this peak is a lower bound on any WebAssembly kernel's time. It
 * runs the plain SIMD128 form (f32x4.mul then f32x4.add) and, where the engine validates it, relaxed SIMD's fused
 * f32x4.relaxed_madd; on 1 thread and on every core at once (worker threads, one module each).
 *
 *   node packages/tensor/scripts/bench-simd-peak.mjs
 *   node --experimental-wasm-relaxed-simd packages/tensor/scripts/bench-simd-peak.mjs   # Node 20: relaxed too
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ACCUMULATORS = 12;
const ITERATIONS = 20_000_000;
/** Multiply-adds per iteration × 4 lanes × 2 flops. */
const FLOPS_PER_ITERATION = ACCUMULATORS * 4 * 2;

/**
 * The module as AssemblyScript source: `run(n)` does n iterations of acc_i += load_i · m, the shape of a matmul
 * micro-kernel's inner loop (the loads walk a 4 KB block, so they stay in L1 and cannot be hoisted), and returns
 * a sum so that nothing is dead.
 */
function source(fused) {
  const acc = Array.from({ length: ACCUMULATORS }, (_, i) => i);
  const step = fused
    ? (i) => `a${i} = f32x4.relaxed_madd(v128.load(p, ${i * 16}), m, a${i});`
    : (i) => `a${i} = f32x4.add(a${i}, f32x4.mul(v128.load(p, ${i * 16}), m));`;
  const sum = acc.map((i) => `a${i}`).reduce((total, a) => `f32x4.add(${total}, ${a})`);
  return `
export function run(n: i32, seed: f32): f32 {
  const base = __heap_base;
  memory.grow(1);
  const m = f32x4.splat(seed);
  ${acc.map((i) => `let a${i} = f32x4.splat(${i}.0 * seed);`).join('\n  ')}
  for (let k = 0; k < n; k++) {
    const p = base + (<usize>(k & 15) << 8);
    ${acc.map(step).join('\n    ')}
  }
  return f32x4.extract_lane(${sum}, 0);
}`;
}

async function compile(fused) {
  const { default: asc } = await import('assemblyscript/asc');
  const enable = fused ? ['simd', 'relaxed-simd'] : ['simd'];
  const options = { optimizeLevel: 3, runtime: 'stub', noAssert: true, enable };
  const { binary, stderr } = await asc.compileString(source(fused), options);
  if (!binary) throw new Error(`bench-simd-peak: AssemblyScript failed\n${stderr}`);
  return binary;
}

/** GFLOPS of one module instance over the fixed number of iterations (after a short warm-up). */
function measure(bytes) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  exports.run(ITERATIONS / 10, 0.999);
  const start = performance.now();
  exports.run(ITERATIONS, 0.999);
  const seconds = (performance.now() - start) / 1000;
  return (ITERATIONS * FLOPS_PER_ITERATION) / seconds / 1e9;
}

if (!isMainThread) {
  parentPort.postMessage(measure(workerData));
} else {
  const threads = availableParallelism();
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  for (const fused of [false, true]) {
    const name = fused ? 'relaxed SIMD (f32x4.relaxed_madd)' : 'SIMD128 (f32x4.mul + f32x4.add)';
    const bytes = await compile(fused).catch(() => null);
    if (!bytes || !WebAssembly.validate(bytes)) {
      console.log(`${name}: not run (the engine rejects it; Node 20 needs --experimental-wasm-relaxed-simd)`);
      continue;
    }
    const one = median(Array.from({ length: 5 }, () => measure(bytes)));
    const all = [];
    for (let run = 0; run < 3; run++) {
      const results = await Promise.all(
        Array.from(
          { length: threads },
          () =>
            new Promise((resolve, reject) => {
              const worker = new Worker(new URL(import.meta.url), { workerData: bytes });
              worker.once('message', resolve);
              worker.once('error', reject);
            }),
        ),
      );
      all.push(results.reduce((sum, g) => sum + g, 0));
    }
    console.log(
      `${name}: ${one.toFixed(1)} GFLOPS on 1 thread, ${median(all).toFixed(1)} on ${threads} (median of 5 and 3 runs)`,
    );
  }
}
