/**
 * @file Cutting a (batched) product into tasks for the threads (assembly/threads.ts runs them). A task is a range
 * of batch entries × a block of rows × a block of columns, six numbers. Each output element falls in exactly
 * one task and is computed by the same loop nest, over the same depth order, as without threads, so the result
 * is bit-identical whichever thread runs which task.
 */
import { MAX_TASKS } from './control.js';

/**
 * Tasks per thread when there is work enough: more than one lets a thread that started late, or was preempted,
 * end up with a smaller share, since the others take over the tasks it has not claimed.
 */
const tasksPerThread = 2;

/**
 * Blocks narrower than this are avoided (beyond one per thread): every block repacks all of the operand along
 * the side that is not cut, which costs about 1/width of the block's multiply-adds — some 10% at 64.
 */
const minWidth = 64;

/**
 * Cuts fall on multiples of 16 rows or columns. Blocks of the micro-tile (4×8) keep edge tiles where they were,
 * and 16 also keeps the kernels for fewer than 4 rows (assembly/skinny.ts, 16- and 4-column steps) taking the
 * same path for every column, which bit-identity needs; every block but the last is at least 16 wide.
 */
const grain = 16;

/**
 * Tasks for `batch` products of m×n on `threads` threads: whole entries when there are enough of them, else each
 * entry cut into blocks along its longer side (so what every block repacks is the smaller operand). Null when
 * the product cannot be cut in two.
 */
export function splitTasks(batch: number, m: number, n: number, threads: number): number[] | null {
  const target = Math.min(threads * tasksPerThread, MAX_TASKS);
  const tasks: number[] = [];
  if (batch >= target) {
    for (let i = 0; i < target; i++) {
      tasks.push(Math.floor((i * batch) / target), Math.floor(((i + 1) * batch) / target), 0, m, 0, n);
    }
    return tasks;
  }
  const byRows = m > n;
  const length = byRows ? m : n;
  const pieces = Math.min(
    Math.ceil(target / batch),
    Math.max(Math.floor(length / minWidth), Math.ceil(threads / batch)),
    Math.floor(length / grain),
    Math.floor(MAX_TASKS / batch),
  );
  if (pieces * batch < 2) return null;
  const cut = (p: number) => (p === pieces ? length : Math.floor((p * length) / pieces / grain) * grain);
  for (let e = 0; e < batch; e++) {
    for (let p = 0; p < pieces; p++) {
      if (byRows) tasks.push(e, e + 1, cut(p), cut(p + 1), 0, n);
      else tasks.push(e, e + 1, 0, m, cut(p), cut(p + 1));
    }
  }
  return tasks;
}
