import { describe, expect, it } from 'vitest';
import { judgedJobs, losingMostly, recordOutcome } from '../src/backend/wasm/threads/loss-window.js';

/** The window after these outcomes in order (true: lost), from an empty one. */
const after = (outcomes: boolean[]) => outcomes.reduce(recordOutcome, 0);

describe('the threads loss window', () => {
  it('does not call one loss, or a few scattered ones, losing', () => {
    expect(losingMostly(after([true]))).toBe(false);
    const scattered = Array.from({ length: 40 }, (_, i) => i % 3 === 0); // a third of the jobs lost
    expect(losingMostly(after(scattered))).toBe(false);
  });

  it('calls more than half of the last jobs lost losing, exactly half not', () => {
    const half = judgedJobs / 2;
    expect(losingMostly(after(Array.from({ length: judgedJobs }, (_, i) => i < half)))).toBe(false);
    expect(losingMostly(after(Array.from({ length: judgedJobs }, (_, i) => i <= half)))).toBe(true);
    expect(losingMostly(after(Array(100).fill(true)))).toBe(true);
  });

  it('forgets outcomes older than the window', () => {
    const losses = Array(judgedJobs).fill(true);
    const wins = Array(judgedJobs).fill(false);
    expect(after([...losses, ...wins])).toBe(0);
    expect(losingMostly(after([...losses, ...Array(judgedJobs / 2).fill(false)]))).toBe(false);
  });
});
