/**
 * @file The recent outcomes of threaded jobs, for backing off from threads that lose (pool.ts's judge): one lost
 * job says little, a run of them says another process holds a core.
 */

/** Jobs remembered (at most 31: a bit each in a small integer). */
export const judgedJobs = 8;

/** The last judgedJobs outcomes after one more, one bit each (1: lost), the latest in bit 0. */
export function recordOutcome(window: number, lost: boolean): number {
  return ((window << 1) | (lost ? 1 : 0)) & ((1 << judgedJobs) - 1);
}

/** Whether more than half of the remembered jobs lost. */
export function losingMostly(window: number): boolean {
  let losses = 0;
  for (let rest = window; rest !== 0; rest &= rest - 1) losses++;
  return 2 * losses > judgedJobs;
}
