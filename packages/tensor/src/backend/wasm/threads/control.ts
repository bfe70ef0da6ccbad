/**
 * @file The control block through which threads share a job: word offsets (Int32Array indices), mirroring the
 * layout documented and read in assembly/threads.ts. It sits at the shared memory's heapBase.
 */

/** Job number, 1 … 2³⁰: workers `Atomics.wait` on it; bumping it starts a job. */
export const SEQ = 0;
export const COUNT = 1;
export const PARTICIPANTS = 2;
/** Tasks not finished yet; the thread that finishes the last one notifies it. */
export const REMAINING = 3;
/** Set to 1 by a worker whose kernel threw. */
export const FAILED = 4;
/** m, n, k, aRow, aCol, bRow, bCol, entries, work: nine consecutive words. */
export const PRODUCT = 5;
/** The byte address of the first thread's work region (PRODUCT's last word; LSTM jobs use it too). */
export const WORK = PRODUCT + 8;
/** What the job is: PRODUCT_JOB (a product split into TASKs) or LSTM_JOB (assembly/lstm-sequence.ts). */
export const KIND = 14;
export const PRODUCT_JOB = 0;
export const LSTM_JOB = 1;
/** SEQ of the last product whose operands the caller has copied in: workers start its tasks only then. */
export const STAGED = 15;
/**
 * READY[t]: 0 until worker t has instantiated the module, then AWAKE while it polls SEQ and ASLEEP while it is in
 * Atomics.wait (it sees a new job only if notified).
 */
export const READY = 16;
export const AWAKE = 1;
export const ASLEEP = 2;
export const STATE = 80;
export const TASK = 336;
export const TASK_WORDS = 6;

/** An LSTM job's words, where a product's tasks would be. */
export const LSTM_WORDS = TASK;
/** Its claim counter (64 bits: SEQ in the high half, the next task in the low half) and its finished tasks. */
export const LSTM_CLAIM = TASK + 32;
export const LSTM_DONE = TASK + 48;

/** Threads, the caller included, and tasks per job that the block has room for. */
export const MAX_THREADS = STATE - READY;
export const MAX_TASKS = TASK - STATE;
export const CONTROL_WORDS = TASK + MAX_TASKS * TASK_WORDS;
/** 7488 bytes, a multiple of 64, so the work regions after it stay cache-line aligned. */
export const CONTROL_BYTES = CONTROL_WORDS * 4;

/** The next job number after `seq`: never 0, which marks a claimed task. */
export const nextSeq = (seq: number) => (seq >= 2 ** 30 ? 1 : seq + 1);
