/**
 * @file The worker pool behind threaded matmul, and its settings: `setNumThreads`, `getNumThreads`, `initThreads`.
 *
 * Workers are started lazily, by the first product large enough to split (or `initThreads()`), and are sent the
 * compiled shared-memory module and the memory itself. Until a worker has raised its READY flag in the control
 * block (control.ts) products simply run on the calling thread, so nothing ever waits for a worker to start. A
 * job (`runJob`) is published in the control block and announced by bumping SEQ, before the caller copies the
 * operands in (workers start once STAGED says it has); the caller then takes its own share of the tasks — and
 * any a worker has not claimed yet — and waits for the rest: `Atomics.wait` where the caller may block (Node's
 * main thread, workers), spinning on `Atomics.load` where it may not (a browser's main thread). Ops stay
 * synchronous.
 *
 * Any failure — a worker that cannot start, throws, exits, or does not finish its task within the patience
 * below — turns threads off (getNumThreads() is then 1 until setNumThreads is called again) and the product is
 * recomputed on the calling thread. Shutting a pool down also gives the kernels a fresh memory (renewKernels):
 * a worker being terminated may still touch the old one, and a later pool must not share it.
 */
import { TensorloomError } from '../../../errors.js';
import { environmentVariable } from '../../environment.js';
import { initWasmBackend, type Kernels, loadSharedKernels, renewKernels } from '../loader.js';
import {
  ASLEEP,
  AWAKE,
  CONTROL_WORDS,
  COUNT,
  FAILED,
  KIND,
  LSTM_CLAIM,
  LSTM_DONE,
  LSTM_JOB,
  LSTM_WORDS,
  MAX_THREADS,
  nextSeq,
  PARTICIPANTS,
  PRODUCT,
  PRODUCT_JOB,
  READY,
  REMAINING,
  SEQ,
  STAGED,
  STATE,
  TASK,
  TASK_WORDS,
  WORK,
} from './control.js';
import { losingMostly, recordOutcome } from './loss-window.js';
import { type ThreadWorker, threadsSupported, workerFactory } from './platform.js';
import { type WorkerStart, workerSource } from './worker-source.js';

/** The default is the platform's logical processors, but no more than this. */
const defaultMaxThreads = 4;
/**
 * How long a worker polls for the next job before sleeping, so products in a loop find it awake (the caller's
 * work between two products is 5–20 µs at the sizes that need it). Polling longer helps loops of small products
 * on an idle machine and hurts on a busy one, where a polling worker can take time from the caller.
 */
const workerSpinMs = 0.05;
/** Polls of REMAINING before the caller sleeps between checks. */
const callerSpin = 2_000;
/**
 * How long the caller waits for a claimed task before giving up on threads: this much, plus 20 times what its own
 * share took. Only a worker that died mid-task (or a machine stalled for that long) runs into it.
 */
const minPatienceMs = 2_000;
/** initThreads() resolves after this even if a worker has not reported (it then joins later, or never). */
const startTimeoutMs = 10_000;
/** Small products between waking sleeping workers anyway (see crewFor). */
const minNudgeInterval = 4;
const maxNudgeInterval = 1024;
/** Backing off from threads that lose (see judge): waits within this of the caller's share are fine. */
const lossSlackMs = 0.05;
const minBackoffMs = 10;
const maxBackoffMs = 1000;

interface PoolWorker {
  readonly thread: number;
  handle: ThreadWorker | null;
  /** Reported ready by message (initThreads); jobs read the READY flag in memory instead. */
  ready: boolean;
  /** Terminated by the pool: its exit is expected. */
  stopped: boolean;
}

interface Pool {
  readonly kernels: Kernels;
  /** Byte address of the control block (the shared memory's heapBase) and a view of it. */
  readonly controlAt: number;
  readonly control: Int32Array;
  /** The LSTM jobs' 64-bit claim counter. */
  readonly lstmClaim: BigInt64Array;
  /** Worker t (thread t) at index t − 1. */
  readonly workers: PoolWorker[];
  seq: number;
}

/** What a product may be split over right now. */
export interface Crew {
  readonly pool: Pool;
  /** Threads that may take part, the caller included: they need a work region each. */
  readonly participants: number;
  /** Workers expected to help: the ready ones, or for a small product only those awake. */
  readonly helpers: number;
  /** Wake sleeping workers (large products only). */
  readonly wake: boolean;
}

/** The timers every runtime has, typed here because the package compiles without DOM or Node types. */
const timers = globalThis as unknown as {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
};

/** A millisecond clock with sub-millisecond resolution, in every runtime (typed here for the same reason). */
const clock = (globalThis as unknown as { performance: { now(): number } }).performance;

let requested: number | undefined;
let pool: Pool | null = null;
let jobs = 0;
/** While backoffMs > 0, products before resumeAt (clock time) run on the caller alone. */
let backoffMs = 0;
let resumeAt = 0;
/** The outcomes of the last jobs (loss-window.ts). */
let recentOutcomes = 0;
let nudgeInterval = minNudgeInterval;
let sinceNudge = 0;
/** Why threads were turned off, or null. */
let failure: string | null = null;
/** Whether the calling thread may Atomics.wait (not a browser's main thread); decided on first wait. */
let callerCanWait: boolean | undefined;
const readyListeners = new Set<() => void>();

/**
 * Sets how many threads the wasm backend's float32 matmul may use, the caller included; 1 turns threads off.
 * Takes effect at the next product and clears an earlier failure or back-off (see judge). Workers beyond the
 * new count are not stopped but left asleep (they cost no CPU and do not keep Node alive), so switching back and
 * forth is cheap.
 * @example setNumThreads(2);
 */
export function setNumThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new TensorloomError(`setNumThreads: expected an integer from 1 to ${MAX_THREADS} (got ${threads})`);
  }
  requested = threads;
  failure = null;
  backoffMs = 0;
  recentOutcomes = 0;
}

/**
 * The number of threads the wasm backend's float32 matmul may use: the setting (default: the logical processors,
 * at most 4, or TENSORLOOM_NUM_THREADS), or 1 where threads cannot run (no SharedArrayBuffer — in browsers, a page
 * that is not cross-origin isolated — no way to start workers, or a worker failed).
 */
export function getNumThreads(): number {
  if (failure !== null || !threadsSupported()) return 1;
  return requested ?? defaultThreads();
}

/**
 * Loads the kernels, starts the workers and resolves, once they are ready, to the number of threads products
 * will use. Optional: without it, workers start with the first large product, which runs single-threaded
 * until they are ready.
 * @example await initThreads(); // 2 on a two-core machine
 */
export async function initThreads(): Promise<number> {
  await initWasmBackend();
  const kernels = loadSharedKernels();
  const started = kernels && threadPool(kernels);
  if (!started) return 1;
  await new Promise<void>((resolve) => {
    const done = () => {
      readyListeners.delete(check);
      timers.clearTimeout(timer);
      resolve();
    };
    const check = () => {
      if (pool !== started || started.workers.every((worker) => worker.ready)) done();
    };
    // While pending, this timer also keeps Node running (the workers do not) so the 'ready' messages arrive.
    const timer = timers.setTimeout(done, startTimeoutMs);
    readyListeners.add(check);
    check();
  });
  return pool === started ? 1 + readyHelpers(started, getNumThreads(), ASLEEP) : 1;
}

/** Why threads were turned off (a worker failed), or null. */
export function threadFailure(): string | null {
  return failure;
}

/** Knobs for tests, which need every eligible product on threads however loaded the machine. */
export const threadTuning = {
  /** Back off from threads while they lose (see judge). */
  backOff: true,
  /**
   * Waking a worker costs the caller ≈10 µs in Atomics.notify and the worker joins ≈10 µs later (measured in
   * Node 20 on a 2-core VM), which only pays for products of about 30 µs and up: smaller ones are split only
   * over workers still polling after their last job. 2²¹ multiply-adds take ≈45 µs on one thread.
   */
  wakeProduct: 2 ** 21,
};

/** Terminates the workers (on a fresh memory, the next large product starts new ones); for tests. */
export function stopWorkers(): void {
  shutDown();
}

/** For tests and benchmarks: jobs run on threads so far, workers in the current pool, and how many are ready. */
export function threadStats(): { jobs: number; workers: number; ready: number } {
  if (!pool) return { jobs, workers: 0, ready: 0 };
  return { jobs, workers: pool.workers.length, ready: readyHelpers(pool, MAX_THREADS, ASLEEP) };
}

/**
 * The threads a product of `multiplyAdds` can use now (starting workers if needed), or null: run it alone. A
 * product smaller than threadTuning.wakeProduct only uses workers still polling after their last job. A crew
 * works on the shared kernels, `crew.pool.kernels`.
 */
export function crewFor(multiplyAdds: number): Crew | null {
  if (backoffMs > 0 && clock.now() < resumeAt) return null;
  const threads = getNumThreads();
  const kernels = threads > 1 ? loadSharedKernels() : null;
  const started = kernels && threadPool(kernels);
  if (!started) return null;
  let wake = multiplyAdds >= threadTuning.wakeProduct;
  let helpers = readyHelpers(started, threads, wake ? ASLEEP : AWAKE);
  if (!wake) {
    // Small products do not wake workers for themselves, so in a loop of them sleeping workers would stay
    // asleep: every nudgeInterval-th one that finds none awake wakes them all the same, and after that job they
    // poll for a while. If the next small product finds one awake, the loop is tight enough to use them and the
    // interval drops back to its minimum; if not, products are too far apart and it doubles (up to 1024), so
    // the wakes that do not pay stay rare.
    if (helpers > 0) {
      nudgeInterval = minNudgeInterval;
      sinceNudge = 0;
    } else if (++sinceNudge >= nudgeInterval) {
      sinceNudge = 0;
      nudgeInterval = Math.min(2 * nudgeInterval, maxNudgeInterval);
      wake = true;
      helpers = readyHelpers(started, threads, ASLEEP);
    }
  }
  if (helpers === 0) return null;
  return { pool: started, participants: Math.min(threads, 1 + started.workers.length), helpers, wake };
}

/**
 * Runs one job: `product` is the nine PRODUCT words, `tasks` TASK_WORDS numbers per task, and `stageOperands`
 * copies the operands into the shared memory. The job is announced first, so that a sleeping worker wakes while
 * the caller copies (a wake-up takes ≈ 0.1 ms here, as long as a typical copy) and starts when the copy is done
 * (STAGED), not a wake-up later than the caller. The caller works through tasks too. False if the threads failed
 * (they are now off, and the caller must recompute on its own kernels: the shared memory may have been replaced).
 */
export function runJob(
  crew: Crew,
  product: readonly number[],
  tasks: readonly number[],
  stageOperands: () => void,
): boolean {
  const { pool: running, participants } = crew;
  const { control } = running;
  const count = tasks.length / TASK_WORDS;
  const seq = openJob(running);
  Atomics.store(control, KIND, PRODUCT_JOB);
  control.set(product, PRODUCT);
  control.set(tasks, TASK);
  Atomics.store(control, COUNT, count);
  Atomics.store(control, PARTICIPANTS, participants);
  Atomics.store(control, REMAINING, count);
  for (let i = 0; i < count; i++) Atomics.store(control, STATE + i, seq);
  announce(crew, seq);
  stageOperands();
  Atomics.store(control, STAGED, seq);
  const { ran, started } = work(crew, seq);
  const ownShare = clock.now() - started;
  if (!waitForWorkers(running, Date.now() + minPatienceMs + 20 * ownShare)) return false;
  const preempted = ran < Math.floor(count / participants);
  judge(preempted || clock.now() - started - ownShare > ownShare + lossSlackMs);
  return true;
}

/**
 * Runs an LSTM time loop (assembly/lstm-sequence.ts) on the crew: `job` is its words, `workAt` the byte address
 * of the first of `crew.participants` work regions. The threads claim its tasks in order and synchronise in
 * linear memory; the caller takes part and returns when every task is done. False if the threads failed (they
 * are now off, and the caller must recompute on its own kernels).
 */
export function runLstmJob(crew: Crew, job: readonly number[], workAt: number): boolean {
  const { pool: running, participants } = crew;
  const { control } = running;
  const seq = openJob(running);
  Atomics.store(control, KIND, LSTM_JOB);
  control.set(job, LSTM_WORDS);
  Atomics.store(control, WORK, workAt);
  Atomics.store(control, LSTM_DONE, 0);
  Atomics.store(running.lstmClaim, 0, BigInt(seq) << BigInt(32));
  Atomics.store(control, PARTICIPANTS, participants);
  announce(crew, seq);
  const { ran } = work(crew, seq);
  if (Atomics.load(control, FAILED) !== 0) return fail('a worker thread threw');
  if (ran < 0) return fail('a worker thread stopped in the middle of an LSTM task');
  return true;
}

/** Counts a new job and returns its number, which the caller writes into the job's words before announcing it. */
function openJob(running: Pool): number {
  jobs++;
  running.seq = nextSeq(running.seq);
  return running.seq;
}

/** Announces job `seq`: bumps SEQ, waking sleeping workers when the crew may. */
function announce(crew: Crew, seq: number): void {
  const { control } = crew.pool;
  Atomics.store(control, SEQ, seq);
  if (crew.wake) Atomics.notify(control, SEQ);
}

/**
 * Runs the caller's part of announced job `seq`: what the kernels' `work` returned for thread 0, and the clock
 * time it started at. A kernel that throws on the caller turns threads off and rethrows.
 */
function work(crew: Crew, seq: number): { ran: number; started: number } {
  const { controlAt, kernels } = crew.pool;
  const started = clock.now();
  try {
    return { ran: kernels.exports.work!(controlAt, 0, seq), started };
  } catch (error) {
    fail(`the calling thread's kernel threw: ${error}`);
    throw error;
  }
}

/**
 * Backs off from threads while they lose, which happens when another process keeps a core busy. A job lost if
 * - the caller, done with its share, then waited longer than that share took: the job took over twice as long
 *   as the caller's part, when splitting was meant to halve it. A worker preempted in the middle of a task
 *   resumes only at its next time slice (milliseconds).
 * - or the caller ran fewer tasks than its share: the tasks are the same size and it claims its first one right
 *   after announcing the job, so others took its tasks only if it was preempted — typically by the worker it
 *   just woke, scheduled on the caller's own core because the other one was busy.
 * One lost job says little: in a translator's Transformer step on an idle machine some 3% of jobs lose, to a
 * late wake-up or the engine's garbage-collection threads, and stopping threads after each made the step 1–4%
 * slower. A busy core makes most jobs lose, so threads stop only when more than half of the last few did
 * (loss-window.ts): for a while, twice as long as the last time (10 ms … 1 s); each win halves that. Products
 * keep probing, so threads come back when the core is free again.
 */
function judge(lost: boolean): void {
  if (!threadTuning.backOff) return;
  recentOutcomes = recordOutcome(recentOutcomes, lost);
  if (lost && losingMostly(recentOutcomes)) {
    backoffMs = Math.min(Math.max(2 * backoffMs, minBackoffMs), maxBackoffMs);
    resumeAt = clock.now() + backoffMs;
  } else if (!lost) {
    backoffMs = backoffMs / 2 < minBackoffMs ? 0 : backoffMs / 2;
  }
}

function waitForWorkers(running: Pool, deadline: number): boolean {
  const { control } = running;
  for (let polls = 0; ; polls++) {
    if (Atomics.load(control, FAILED) !== 0) return fail('a worker thread threw');
    const left = Atomics.load(control, REMAINING);
    if (left === 0) return true;
    if (polls < callerSpin) continue;
    if (Date.now() > deadline) return fail('a worker thread stopped in the middle of a task');
    callerCanWait ??= canWait(control);
    if (callerCanWait) Atomics.wait(control, REMAINING, left, 1);
  }
}

/** Whether Atomics.wait is allowed here: a browser's main thread throws (checked before the value is). */
function canWait(control: Int32Array): boolean {
  try {
    Atomics.wait(control, SEQ, -1, 0); // SEQ is never −1: returns 'not-equal' at once where waiting is allowed
    return true;
  } catch {
    return false;
  }
}

function defaultThreads(): number {
  const fromEnvironment = environmentVariable('TENSORLOOM_NUM_THREADS');
  if (fromEnvironment !== undefined) {
    const threads = Number(fromEnvironment);
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new TensorloomError(
        `TENSORLOOM_NUM_THREADS: expected an integer from 1 to ${MAX_THREADS} (got '${fromEnvironment}')`,
      );
    }
    return threads;
  }
  const processors = workerFactory()?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(defaultMaxThreads, processors));
}

/** The pool for `kernels` with threads − 1 workers started (not necessarily ready); null if threads are off. */
function threadPool(kernels: Kernels): Pool | null {
  const threads = getNumThreads();
  if (threads <= 1 || !kernels.shared || !kernels.exports.work) return null;
  if (pool && pool.kernels !== kernels) shutDown();
  if (!pool) {
    const controlAt = kernels.exports.heapBase();
    const control = new Int32Array(kernels.shared.memory.buffer, controlAt, CONTROL_WORDS);
    const lstmClaim = new BigInt64Array(kernels.shared.memory.buffer, controlAt + LSTM_CLAIM * 4, 1);
    pool = { kernels, controlAt, control, lstmClaim, workers: [], seq: Atomics.load(control, SEQ) };
  }
  const current = pool;
  while (pool === current && current.workers.length < threads - 1) startWorker(current);
  return pool === current ? current : null;
}

function startWorker(target: Pool): void {
  const shared = target.kernels.shared!;
  const worker: PoolWorker = {
    thread: target.workers.length + 1,
    handle: null,
    ready: false,
    stopped: false,
  };
  target.workers.push(worker);
  const start: WorkerStart = {
    module: shared.module,
    memory: shared.memory,
    control: target.controlAt,
    thread: worker.thread,
    spinMs: workerSpinMs,
  };
  try {
    worker.handle = workerFactory()!.create(workerSource, {
      message: (data) => onMessage(target, worker, data),
      error: (reason) => {
        if (pool === target && !worker.stopped) fail(`worker ${worker.thread}: ${reason}`);
      },
    });
    worker.handle.postMessage(start);
  } catch (error) {
    fail(`cannot start a worker thread: ${error}`);
  }
}

function onMessage(target: Pool, worker: PoolWorker, data: unknown): void {
  if (pool !== target || worker.stopped) return;
  const message = data as { type?: string; message?: string };
  if (message.type === 'ready') {
    worker.ready = true;
    for (const listener of [...readyListeners]) listener();
  } else {
    fail(`worker ${worker.thread}: ${message.message ?? 'unexpected message'}`);
  }
}

/** Turns threads off until the next setNumThreads(); always false, for `return fail(…)`. */
function fail(reason: string): false {
  failure = reason;
  shutDown();
  return false;
}

/** Terminates the pool's workers and moves the kernels to a fresh memory. */
function shutDown(): void {
  const stopping = pool;
  if (!stopping) return;
  pool = null;
  for (const worker of stopping.workers) {
    worker.stopped = true;
    try {
      worker.handle?.terminate();
    } catch {
      // Already gone.
    }
  }
  renewKernels(stopping.kernels);
  for (const listener of [...readyListeners]) listener();
}

/** Workers 1 … threads − 1 that are ready and at most `state`: AWAKE (polling SEQ) or ASLEEP (any ready one). */
function readyHelpers(target: Pool, threads: number, state: typeof AWAKE | typeof ASLEEP): number {
  let ready = 0;
  const last = Math.min(threads - 1, target.workers.length);
  for (let t = 1; t <= last; t++) {
    const flag = Atomics.load(target.control, READY + t);
    if (flag !== 0 && flag <= state) ready++;
  }
  return ready;
}
