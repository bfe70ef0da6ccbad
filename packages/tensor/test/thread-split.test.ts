import { describe, expect, it } from 'vitest';
import { splitTasks } from '../src/backend/wasm/threads/split.js';

/** How many tasks cover each output element of a batch × m × n product (tasks as six numbers each). */
function coverage(tasks: number[], batch: number, m: number, n: number): Uint8Array {
  const times = new Uint8Array(batch * m * n);
  for (let t = 0; t < tasks.length; t += 6) {
    const [e0, e1, r0, r1, c0, c1] = tasks.slice(t, t + 6);
    for (let e = e0; e < e1; e++) {
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) times[(e * m + r) * n + c]++;
    }
  }
  return times;
}

describe('splitting products into tasks', () => {
  it('covers every element exactly once when cutting by entries, rows or columns', () => {
    for (const [batch, m, n] of [
      [6, 64, 60],
      [3, 200, 130],
      [1, 100, 1030],
      [1, 1000, 70],
    ]) {
      const tasks = splitTasks(batch, m, n, 2)!;
      expect(coverage(tasks, batch, m, n).every((times) => times === 1)).toBe(true);
      for (let t = 0; t < tasks.length; t += 6) {
        const [, , r0, r1, c0, c1] = tasks.slice(t, t + 6);
        // Cuts fall on multiples of 16 (bit-identity needs every tile where one thread puts it).
        for (const cut of [r0, c0, r1 < m ? r1 : 0, c1 < n ? c1 : 0]) expect(cut % 16).toBe(0);
      }
    }
    expect(splitTasks(1, 16, 16, 2)).toBeNull(); // too small to cut in two
  });
});
