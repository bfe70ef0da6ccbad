/**
 * @file Finds, compiles and instantiates the kernel module (built from assembly/ by scripts/build-wasm.mjs).
 *
 * Four builds ship: relaxed SIMD (fused multiply-add) or plain SIMD128, each with its own memory or with a
 * shared, imported one that worker threads instantiate too (threads/). The engine picks by validation: the
 * first build it accepts wins, so there is no user-agent sniffing and no separate probe module. Node 20 (V8 11.3)
 * accepts relaxed SIMD only with `--experimental-wasm-relaxed-simd`; Chrome 114+ and Node 22+ accept it by default.
 * Work on the calling thread runs on the build with its own memory (copies into it are the faster ones); where
 * threads can run (threads/platform.ts), the thread pool instantiates the same variant's shared build beside it,
 * on first use, for the products it splits.
 *
 * Loading is lazy and synchronous on first use (`new WebAssembly.Module`), which is fine in Node and in workers.
 * Browsers limit synchronous compiles on the main thread (Chrome long refused modules over 4 KB, now over
 * 8 MB); ours are about 7 KB, and `initWasmBackend()` compiles asynchronously for callers that would
 * rather await it than risk a limit.
 */

import { decodeBase64 } from './base64.js';
import {
  relaxedSimdKernels,
  relaxedSimdSharedKernels,
  simdKernels,
  simdSharedKernels,
} from './generated/kernels.js';
import { threadsSupported } from './threads/platform.js';
import { type WasmMemory, type WasmModule, webAssembly } from './webassembly.js';

export type WasmVariant = 'relaxed-simd' | 'simd';

/** The module's exports (assembly/index.ts, assembly/shared.ts). Pointers are byte addresses, strides elements. */
export interface KernelExports {
  readonly memory: WasmMemory;
  /** First byte free for the caller. */
  heapBase(): number;
  /** Bytes of the work region (pack buffers) each concurrent `matmul` needs for itself. */
  workBytes(): number;
  /** C[m×n] = A[m×k]·B[k×n] for float32 data in linear memory; C's rows are `ldc` elements apart. */
  matmul(
    m: number,
    n: number,
    k: number,
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    c: number,
    ldc: number,
    work: number,
  ): void;
  /**
   * The LSTM gates for float32 rows in linear memory: gates [B, 4H] and cPrev [B, H] (row strides in elements,
   * columns contiguous) → out [B, 2H] = [h | c] and, unless saved is 0, saved [B, 5H]; H a multiple of 4.
   */
  lstmCellGates(
    batch: number,
    hidden: number,
    gates: number,
    gRow: number,
    cPrev: number,
    cRow: number,
    out: number,
    saved: number,
  ): void;
  /**
   * The LSTM gates' vector-Jacobian product: dhc [B, 2H] (row stride in elements, columns contiguous), saved
   * [B, 5H] and cPrev [B, H] (row stride) → dGates [B, 4H] and dcPrev [B, H], each skipped when its address is 0.
   */
  lstmCellGatesBackward(
    batch: number,
    hidden: number,
    dhc: number,
    dRow: number,
    saved: number,
    cPrev: number,
    cRow: number,
    dGates: number,
    dcPrev: number,
  ): void;
  /**
   * Runs an LSTM time-loop job on the calling thread (assembly/lstm-sequence.ts): `job` is the byte address of
   * its words (src/backend/wasm/lstm-sequence.ts writes them), `work` a matmul work region.
   */
  lstmSequenceRun(job: number, work: number): void;
  /** Adam's update of n contiguous float32 parameters in place (assembly/adam.ts); scalars rounded to float32. */
  adam(
    n: number,
    param: number,
    grad: number,
    expAvg: number,
    expAvgSq: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    biasCorrection2Sqrt: number,
    eps: number,
    negStepSize: number,
  ): void;
  /**
   * n float32 values at `out`: `value` where the next xoshiro128** draw from the four state words at `state`
   * (updated) is below `threshold`, else +0 (assembly/bernoulli.ts).
   */
  bernoulliMask(n: number, out: number, state: number, threshold: number, value: number): void;
  /** Adds the squares of n float32 values at x to the four float64 partial sums at `sums` (assembly/grad-clip.ts). */
  sumOfSquares(n: number, x: number, sums: number): void;
  /**
   * Elementwise kernels (assembly/elementwise.ts) on [rows, cols] operands: byte address, row stride, column
   * stride (0 = broadcast along the row, 1 = contiguous); the result is contiguous at `out`.
   */
  unary(op: number, rows: number, cols: number, x: number, xRow: number, xCol: number, out: number): void;
  binary(
    op: number,
    rows: number,
    cols: number,
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    out: number,
  ): void;
  where(
    rows: number,
    cols: number,
    cond: number,
    cRow: number,
    cCol: number,
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    out: number,
  ): void;
  /** out[r] = Σ_c x[r, c] over contiguous rows `xRow` elements apart. */
  sumRows(rows: number, cols: number, x: number, xRow: number, out: number): void;
  /** out[c] = Σ_r x[r, c]; `acc` is working space for `cols` float64 sums. */
  sumColumns(rows: number, cols: number, x: number, xRow: number, out: number, acc: number): void;
  /** Softmax (or log-softmax) of each contiguous row into contiguous out. */
  softmax(rows: number, cols: number, x: number, xRow: number, out: number, log: boolean): void;
  /** softmax's (or log-softmax's) backward of contiguous rows of y and g into contiguous out. */
  softmaxBackward(
    rows: number,
    cols: number,
    y: number,
    yRow: number,
    g: number,
    gRow: number,
    out: number,
    log: boolean,
  ): void;
  /**
   * Softmax cross-entropy of contiguous float32 rows against int32 targets (assembly/cross-entropy.ts): the loss
   * [rows] and the stats [rows, 2] (max, log Σ exp(x − max)) per row, contiguous.
   */
  softmaxCrossEntropy(
    rows: number,
    cols: number,
    x: number,
    xRow: number,
    target: number,
    smoothing: number,
    loss: number,
    stats: number,
  ): void;
  /** Its backward: the logits' gradient [rows, cols] contiguous from g [rows] and the saved stats. */
  softmaxCrossEntropyBackward(
    rows: number,
    cols: number,
    x: number,
    xRow: number,
    target: number,
    stats: number,
    g: number,
    smoothing: number,
    out: number,
  ): void;
  /**
   * Layer norm of float32 rows (row stride in elements, columns contiguous): out = (x − mean)·rstd·weight + bias,
   * weight and bias [cols] or 0 (none); stats, unless 0, receives [mean, rstd] per row.
   */
  layerNorm(
    rows: number,
    cols: number,
    x: number,
    xRow: number,
    weight: number,
    bias: number,
    eps: number,
    out: number,
    stats: number,
  ): void;
  /**
   * layerNorm's backward: dx [rows, cols], dWeight and dBias [cols] (0: not wanted) from dy, x, weight (or 0) and
   * the stats; `acc` is working space for 2·cols float64 sums (cols rounded up to a multiple of 4).
   */
  layerNormBackward(
    rows: number,
    cols: number,
    dy: number,
    dyRow: number,
    x: number,
    xRow: number,
    weight: number,
    stats: number,
    dx: number,
    dWeight: number,
    dBias: number,
    acc: number,
  ): void;
  /** Shared builds only: claims and runs tasks of job `seq` as thread `thread`; returns how many it ran. */
  work?(control: number, thread: number, seq: number): number;
}

export interface Kernels {
  readonly variant: WasmVariant;
  readonly exports: KernelExports;
  /** A shared-memory build: the module and memory a worker instantiates to run the same kernels alongside. */
  readonly shared: { readonly module: WasmModule; readonly memory: WasmMemory } | null;
}

/** Best first. */
const builds: readonly { variant: WasmVariant; shared: string; own: string }[] = [
  { variant: 'relaxed-simd', shared: relaxedSimdSharedKernels, own: relaxedSimdKernels },
  { variant: 'simd', shared: simdSharedKernels, own: simdKernels },
];

/**
 * Sizes a shared memory may grow to, in 64 KiB pages, largest first. A shared memory cannot move when it grows,
 * so engines reserve its maximum up front; 4 GiB is the wasm32 limit, but a 32-bit or mobile browser may refuse
 * to reserve that much, and 1 GiB or 256 MiB is still better than no threads.
 */
const sharedMaxima = [65536, 16384, 4096];
/** The builds' declared minimum (scripts/build-wasm.mjs). */
const initialPages = 16;

/**
 * The build with its own memory, for everything the calling thread computes. undefined: not loaded yet; null:
 * this engine runs none of the builds (no WebAssembly or no SIMD).
 */
let loaded: Kernels | null | undefined;
/**
 * The shared-memory build of the same variant, for products split across worker threads; null where threads
 * cannot run. Copies between JS arrays and a SharedArrayBuffer run 2–4× slower than plain ones (V8 copies shared
 * memory word by word, not with memcpy: 8.4 µs against 2.5 µs for 256 KB), so work that stays on the calling
 * thread uses the other build.
 */
let loadedShared: Kernels | null | undefined;

interface Candidate {
  readonly variant: WasmVariant;
  readonly bytes: Uint8Array;
  readonly shared: boolean;
}

/** The builds the engine validates, best first: `only` restricts the variant, `shared` picks the kind. */
function* candidates(only: WasmVariant | undefined, shared: boolean): Generator<Candidate> {
  if (!webAssembly) return;
  for (const build of builds) {
    if (only && build.variant !== only) continue;
    const bytes = decodeBase64(shared ? build.shared : build.own);
    if (webAssembly.validate(bytes)) yield { variant: build.variant, bytes, shared };
  }
}

/** A fresh shared memory, or null where the engine will not create one. */
function sharedMemory(): WasmMemory | null {
  for (const maximum of sharedMaxima) {
    try {
      return new webAssembly!.Memory({ initial: initialPages, maximum, shared: true });
    } catch {
      // Too large to reserve, or no shared memory at all: try smaller, then give up.
    }
  }
  return null;
}

function instantiateSync(variant: WasmVariant, module: WasmModule, memory: WasmMemory | null): Kernels {
  const instance = new webAssembly!.Instance(module, memory ? { env: { memory } } : {});
  const exports = instance.exports as KernelExports;
  return { variant, exports, shared: memory ? { module, memory } : null };
}

/** The best build of the kind that validates and instantiates here, compiled synchronously; null if none. */
function loadSync(only: WasmVariant | undefined, shared: boolean): Kernels | null {
  for (const candidate of candidates(only, shared)) {
    const memory = shared ? sharedMemory() : null;
    if (shared && !memory) continue;
    return instantiateSync(candidate.variant, new webAssembly!.Module(candidate.bytes), memory);
  }
  return null;
}

/** The same, compiled and instantiated asynchronously. */
async function loadAsync(only: WasmVariant | undefined, shared: boolean): Promise<Kernels | null> {
  for (const candidate of candidates(only, shared)) {
    const memory = shared ? sharedMemory() : null;
    if (shared && !memory) continue;
    const module = await webAssembly!.compile(candidate.bytes);
    const instance = await webAssembly!.instantiate(module, memory ? { env: { memory } } : {});
    const exports = instance.exports as KernelExports;
    return { variant: candidate.variant, exports, shared: memory ? { module, memory } : null };
  }
  return null;
}

/**
 * The kernels for work on the calling thread (their own memory), compiling them synchronously on first call;
 * null when the engine cannot run them.
 */
export function loadKernels(): Kernels | null {
  if (loaded === undefined) loaded = loadSync(undefined, false);
  return loaded;
}

/**
 * The same variant on a shared memory, for the thread pool, compiling it synchronously on first call; null where
 * threads cannot run (no SharedArrayBuffer, or the engine refuses a shared memory).
 */
export function loadSharedKernels(): Kernels | null {
  const own = loadKernels();
  if (!own || !threadsSupported()) return null;
  if (loadedShared === undefined || (loadedShared && loadedShared.variant !== own.variant)) {
    loadedShared = loadSync(own.variant, true);
  }
  return loadedShared;
}

/**
 * Replaces `old`, if it is still the loaded shared build, with the same build on a fresh memory (null if no
 * shared memory can be made). The thread pool calls this when it shuts down: a worker that is still stopping may
 * yet touch the old memory, and the next pool must not share it.
 */
export function renewKernels(old: Kernels): void {
  if (loadedShared !== old || !old.shared) return;
  const memory = sharedMemory();
  loadedShared = memory ? instantiateSync(old.variant, old.shared.module, memory) : null;
}

/**
 * Compiles the kernels asynchronously (so a browser's main thread never compiles synchronously) — the shared
 * build too where threads can run — and resolves to the build in use, or null if the engine runs none.
 * `variant` forces one build (benchmarks compare them); it resolves to null, and leaves the current kernels in
 * place, if the engine rejects that build.
 * @example await initWasmBackend(); registerBackend(wasmBackend); setBackend('wasm');
 */
export async function initWasmBackend(options: { variant?: WasmVariant } = {}): Promise<WasmVariant | null> {
  const wanted = options.variant;
  if (loaded === undefined || (wanted && loaded?.variant !== wanted)) {
    const own = await loadAsync(wanted, false);
    if (!own) {
      if (!wanted) loaded = null;
      return null;
    }
    loaded = own;
  }
  const sharedStale =
    loadedShared === undefined || (loadedShared && loadedShared.variant !== loaded?.variant);
  if (loaded && threadsSupported() && sharedStale) loadedShared = await loadAsync(loaded.variant, true);
  return loaded?.variant ?? null;
}
