// `pnpm --filter @tensorloom/benchmarks profile [encoder|decode|mlp|lstm|lstm2] [--backend wasm] [--threads 1] [--steps 10]`:
// where one Tensorloom step of a suite spends its time. Every kernel call goes through a backend
// that wraps the selected one (registerBackend) and is timed, grouped by kernel and op and by operand shapes;
// what is left of the step is op dispatch, autograd and allocation; GC pauses are counted apart (they can
// fall inside a kernel call as well as outside).
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import * as losses from '@tensorloom/losses';
import * as nn from '@tensorloom/nn';
import * as attention from '@tensorloom/nn-attention';
import * as rnn from '@tensorloom/nn-rnn';
import * as optim from '@tensorloom/optim';
import type { Backend, StridedArray } from '@tensorloom/tensor';
import * as tl from '@tensorloom/tensor';
import { makeGreedy } from './decode.js';
import { LSTM_CASES, lstmSpec, tlStep } from './lstm.js';
import { MLP, mlpData, trainer } from './mlp.js';
import { formatMs, renderTable } from './table.js';
import { median } from './timing.js';
import { encoderSpec } from './transformer.js';
import { tlEncoderStep } from './transformer-tensorloom.js';

/** What can be profiled: the transformer suite's two rows, the mlp step, the lstm suite's two rows. */
const TARGETS = ['encoder', 'decode', 'mlp', 'lstm', 'lstm2'] as const;

interface Options {
  what: (typeof TARGETS)[number];
  backend: string;
  threads: number;
  steps: number;
}

function parse(argv: readonly string[]): Options {
  const opts: Options = { what: 'encoder', backend: 'wasm', threads: 1, steps: 10 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? '';
    if (arg === '--') continue;
    if ((TARGETS as readonly string[]).includes(arg)) opts.what = arg as Options['what'];
    else if (arg === '--backend') opts.backend = value();
    else if (arg === '--threads') opts.threads = Number(value());
    else if (arg === '--steps') opts.steps = Number(value());
    else throw new Error(`profile: unknown argument ${JSON.stringify(arg)}`);
  }
  if (!Number.isInteger(opts.steps) || opts.steps < 1)
    throw new Error('profile: --steps must be a positive integer');
  return opts;
}

interface Tally {
  calls: number;
  ms: number;
}

const isStrided = (x: unknown): x is StridedArray =>
  typeof x === 'object' && x !== null && 'shape' in x && 'strides' in x;

/** "[32,32,256]", with "ᵀ" when not contiguous (a transposed, expanded or sliced view). */
function describe(x: StridedArray): string {
  let stride = 1;
  let contiguous = true;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.shape[d] !== 1 && x.strides[d] !== stride) contiguous = false;
    stride *= x.shape[d];
  }
  return `[${x.shape.join(',')}]${contiguous ? '' : 'ᵀ'}`;
}

/** A backend that times every call into `inner`, by kernel (plus op) and by kernel and operand shapes. */
function timedBackend(inner: Backend): {
  backend: Backend;
  byKernel: Map<string, Tally>;
  byCall: Map<string, Tally>;
} {
  const byKernel = new Map<string, Tally>();
  const byCall = new Map<string, Tally>();
  const add = (map: Map<string, Tally>, key: string, ms: number) => {
    const t = map.get(key) ?? { calls: 0, ms: 0 };
    t.calls++;
    t.ms += ms;
    map.set(key, t);
  };
  const methods = inner as unknown as Record<string, unknown>;
  // Same name, registered in its place: code that asks for the backend by name (e.g. optim's Adam, which takes the
  // wasm kernels directly under the wasm backend) runs as it would unprofiled.
  const wrapped: Record<string, unknown> = { ...methods, name: inner.name };
  for (const [key, fn] of Object.entries(methods)) {
    if (typeof fn !== 'function') continue;
    wrapped[key] = (...args: unknown[]) => {
      const start = performance.now();
      try {
        return fn.apply(inner, args);
      } finally {
        const ms = performance.now() - start;
        const kernel = typeof args[0] === 'string' ? `${key} ${args[0]}` : key;
        add(byKernel, kernel, ms);
        add(byCall, `${kernel} ${args.filter(isStrided).map(describe).join(' ')}`, ms);
      }
    };
  }
  return { backend: wrapped as unknown as Backend, byKernel, byCall };
}

/** The step to profile, built with the wrapped backend selected. */
function makeStep(what: Options['what']): { label: string; step: () => unknown } {
  const loaded = { tl, nn, attention };
  if (what === 'encoder') {
    return { label: 'encoder layer forward + backward', step: tlEncoderStep(loaded, encoderSpec()).step };
  }
  if (what === 'mlp') {
    // Adam's update calls the wasm kernels directly (fusedAdam_), so it counts as time outside the kernels.
    const { step } = trainer({ tl, nn, losses, optim }, mlpData(MLP), MLP);
    return { label: 'mlp training step (forward, backward, Adam)', step };
  }
  if (what === 'lstm' || what === 'lstm2') {
    const index = what === 'lstm' ? 0 : 1; // one layer, or two bidirectional
    const { step } = tlStep(tl, rnn, lstmSpec(LSTM_CASES[index], index));
    return { label: `${LSTM_CASES[index].label} forward + backward`, step };
  }
  const { greedy } = makeGreedy(loaded, null);
  return { label: 'greedy decoding of 32 tokens with the KV cache', step: () => greedy(true) };
}

async function main(opts: Options): Promise<void> {
  const timed = timedBackend(
    (() => {
      tl.setBackend(opts.backend);
      return tl.getBackend();
    })(),
  );
  tl.registerBackend(timed.backend);
  tl.setBackend(timed.backend.name);
  tl.setNumThreads(opts.threads);
  const { label, step } = makeStep(opts.what);
  for (let i = 0; i < 3; i++) step(); // warm-up, also lets the thread pool start
  timed.byKernel.clear();
  timed.byCall.clear();

  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceEntry[]) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  const times: number[] = [];
  for (let i = 0; i < opts.steps; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  await new Promise((resolve) => setTimeout(resolve, 0)); // GC entries are delivered asynchronously
  observer.disconnect();

  const n = opts.steps;
  const total = times.reduce((a, b) => a + b, 0) / n;
  const perStep = (t: Tally) => t.ms / n;
  const inKernels = [...timed.byKernel.values()].reduce((a, t) => a + perStep(t), 0);
  const share = (ms: number) => `${((100 * ms) / total).toFixed(1)}%`;
  const rows = (map: Map<string, Tally>, limit: number) =>
    [...map]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, limit)
      .map(([key, t]) => [key, formatMs(perStep(t)), share(perStep(t)), String(t.calls / n)]);
  const headers = ['kernel', 'ms per step', 'share', 'calls per step'];
  console.log(
    [
      `${label}, Tensorloom ${opts.backend} at ${opts.threads} thread(s): median ${formatMs(median(times))} ms per step over ${n} steps (mean ${formatMs(total)})`,
      `  in kernels ${formatMs(inKernels)} ms (${share(inKernels)}); outside them (op dispatch, autograd, allocation) ${formatMs(total - inKernels)} ms (${share(total - inKernels)}); GC pauses ${formatMs(gcMs / n)} ms (${share(gcMs / n)}), inside or outside kernels`,
      '',
      renderTable(headers, rows(timed.byKernel, 30)),
      '',
      'the 25 costliest kernel calls by operand shapes (ᵀ = a strided view: transposed, expanded or sliced)',
      renderTable(headers, rows(timed.byCall, 25)),
    ].join('\n'),
  );
}

Promise.resolve()
  .then(() => main(parse(process.argv.slice(2))))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
