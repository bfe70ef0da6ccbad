/**
 * @file Several threads computing one product on a shared memory. The caller (thread 0) describes a job in a
 * control block and splits it into tasks; each thread, the caller included, claims open tasks one at a time with
 * a compare-exchange and runs them in its own work region, so a slow or absent thread only means the others
 * claim more. Each output element belongs to exactly one task, computed by the same loop nest in the same order
 * as without threads, so results are bit-identical to the single-threaded ones.
 *
 * The control block, in 32-bit words (mirrored in src/backend/wasm/threads/control.ts):
 *
 *   0      SEQ           job number (1 … 2³⁰, then wraps to 1): workers wait on it, the caller bumps it to start
 *   1      COUNT         tasks in the job (≤ MAX_TASKS)
 *   2      PARTICIPANTS  threads allowed to join: thread t joins only if t < PARTICIPANTS
 *   3      REMAINING     tasks not finished yet; whoever finishes the last one notifies this word
 *   4      FAILED        set by a worker whose kernel threw (the caller then stops using threads)
 *   5–13   the product:  m, n, k, aRow, aCol, bRow, bCol (strides in elements), entries, work (byte addresses)
 *   14     KIND          0: a product split into TASKs; 1: an LSTM time loop (lstm-sequence.ts), whose words
 *                        start at TASK, with its claim counter at TASK + 32 and its finished tasks at TASK + 48
 *   15     STAGED        SEQ of the last product whose operands are in place: the caller announces a product
 *                        before copying its operands in, so that a sleeping worker wakes during the copy, and
 *                        workers claim its tasks only once STAGED says the copy is done
 *   16–79  READY[t]      0 until worker t has instantiated the module, then 1 (polling SEQ) or 2 (asleep)
 *   80…    STATE[i]      task i: SEQ while open, 0 once claimed; tagging with SEQ keeps a thread that wakes up
 *                        late for an old job from claiming tasks of a newer one
 *   336…   TASK[i]       six words: entries [from, to), rows [from, to), columns [from, to)
 *
 * `entries` points at one (a, b, c) triple of byte addresses per batch entry; a task multiplies rows × columns
 * of each of its entries. No word here is written by the module except through `work`, and the module has no
 * data segments or mutable globals, so instantiating it in another thread changes nothing in memory.
 */
import { lstmPhaseStart, lstmTask, lstmTaskCount } from './lstm-sequence';
import { matmul } from './matmul';
import { WORK_BYTES } from './tiles';

// Words the kernels read (SEQ, FAILED and READY are the JS side's; m is implied by each task's rows).
const COUNT = 1;
const PARTICIPANTS = 2;
const REMAINING = 3;
const N = 6;
const K = 7;
const A_ROW = 8;
const A_COL = 9;
const B_ROW = 10;
const B_COL = 11;
const ENTRIES = 12;
const WORK = 13;
const STATE = 80;
const TASK = 336;
const TASK_WORDS = 6;
/** What the job is: a product (PRODUCT_JOB, 0) or an LSTM time loop (LSTM_JOB, lstm-sequence.ts). */
const KIND = 14;
const LSTM_JOB = 1;
const STAGED = 15;
/** An LSTM job's words sit where a product's tasks would; its counters follow, each on its own cache line. */
const LSTM_WORDS = TASK;
/** i64: the job's SEQ in the high half, the next unclaimed task in the low half. */
const LSTM_CLAIM = TASK + 32;
/** Tasks finished. */
const LSTM_DONE = TASK + 48;
/** Polls of a counter before a thread gives up on the job (about 2 s: only a dead thread takes that long). */
const SPIN_LIMIT: i64 = 1 << 33;

/**
 * Claims and runs open tasks of job `seq` as thread `thread` until none is left, starting at the thread's own
 * share (tasks [t·COUNT/P, …)) and then taking over whatever the others have not claimed. Returns how many
 * tasks this thread ran.
 */
export function work(control: usize, thread: i32, seq: i32): i32 {
  const participants = atomic.load<i32>(control + PARTICIPANTS * 4);
  if (thread >= participants) return 0;
  if (atomic.load<i32>(control + KIND * 4) === LSTM_JOB) return lstmWork(control, thread, seq);
  if (thread > 0 && !operandsStaged(control, seq)) return 0;
  const count = atomic.load<i32>(control + COUNT * 4);
  const first = <i32>((<i64>thread * count) / participants);
  let ran = 0;
  for (let j = 0; j < count; j++) {
    const i = first + j < count ? first + j : first + j - count;
    if (atomic.cmpxchg<i32>(control + <usize>(STATE + i) * 4, seq, 0) !== seq) continue;
    runTask(control, control + <usize>(TASK + i * TASK_WORDS) * 4, thread);
    ran++;
    const remaining = control + REMAINING * 4;
    if (atomic.sub<i32>(remaining, 1) === 1) atomic.notify(remaining);
  }
  return ran;
}

function runTask(control: usize, task: usize, thread: i32): void {
  const n = load<i32>(control + N * 4);
  const k = load<i32>(control + K * 4);
  const aRow = load<i32>(control + A_ROW * 4);
  const aCol = load<i32>(control + A_COL * 4);
  const bRow = load<i32>(control + B_ROW * 4);
  const bCol = load<i32>(control + B_COL * 4);
  const entries = load<usize>(control + ENTRIES * 4);
  const work = load<usize>(control + WORK * 4) + <usize>thread * WORK_BYTES;
  const rowFrom = load<i32>(task, 8);
  const colFrom = load<i32>(task, 16);
  const rows = load<i32>(task, 12) - rowFrom;
  const cols = load<i32>(task, 20) - colFrom;
  const aOffset = <usize>(rowFrom * aRow * 4);
  const bOffset = <usize>(colFrom * bCol * 4);
  const cOffset = <usize>(rowFrom * n + colFrom) * 4;
  for (let e = load<i32>(task); e < load<i32>(task, 4); e++) {
    const entry = entries + <usize>e * 12;
    const a = load<usize>(entry) + aOffset;
    const b = load<usize>(entry, 4) + bOffset;
    const c = load<usize>(entry, 8) + cOffset;
    matmul(rows, cols, k, a, aRow, aCol, b, bRow, bCol, c, n, work);
  }
}

/**
 * An LSTM job: claims tasks in order with a compare-exchange on LSTM_CLAIM (tagged with the job's SEQ, so a
 * thread arriving after the job ended claims nothing of the next one) and waits, polling, until every task of
 * the phase before its task is done. The caller (thread 0) returns only when all tasks are done. Returns how
 * many tasks this thread ran, or −1 if a task it waited for never finished (the caller then stops using
 * threads and recomputes alone).
 */
function lstmWork(control: usize, thread: i32, seq: i32): i32 {
  const job = control + LSTM_WORDS * 4;
  const claim = control + LSTM_CLAIM * 4;
  const done = control + LSTM_DONE * 4;
  const total = lstmTaskCount(job);
  const work = load<usize>(control + WORK * 4) + <usize>thread * WORK_BYTES;
  let ran = 0;
  for (;;) {
    const next = atomic.load<i64>(claim);
    const task = <i32>next;
    if (<i32>(next >>> 32) !== seq || task >= total) break;
    if (atomic.cmpxchg<i64>(claim, next, next + 1) !== next) continue;
    if (!waitFor(done, lstmPhaseStart(job, task))) return -1;
    lstmTask(job, task, work);
    atomic.add<i32>(done, 1);
    ran++;
  }
  if (thread === 0 && !waitFor(done, total)) return -1;
  return ran;
}

/**
 * Polls STAGED until the caller has copied in job `seq`'s operands (the thread waking meanwhile is the point);
 * false if a newer job has started (this one is over) or after SPIN_LIMIT polls.
 */
function operandsStaged(control: usize, seq: i32): bool {
  for (let polls: i64 = 0; atomic.load<i32>(control + STAGED * 4) !== seq; polls++) {
    if (atomic.load<i32>(control) !== seq || polls > SPIN_LIMIT) return false;
  }
  return true;
}

/** Polls `counter` until it reaches `target`; false after SPIN_LIMIT polls. */
function waitFor(counter: usize, target: i32): bool {
  for (let polls: i64 = 0; atomic.load<i32>(counter) < target; polls++) {
    if (polls > SPIN_LIMIT) return false;
  }
  return true;
}
