import { describe, expect, it } from 'vitest';
import { JobAbortedError, QueueFullError, WorkQueue } from '../src/serve/work-queue.js';

describe('WorkQueue', () => {
  it('runs jobs one at a time in order and passes results and errors through', async () => {
    const queue = new WorkQueue(10);
    const order: number[] = [];
    const results = await Promise.allSettled([
      queue.run(() => {
        order.push(1);
        return 'a';
      }),
      queue.run(() => {
        order.push(2);
        throw new Error('job 2 failed');
      }),
      queue.run(() => {
        order.push(3);
        return 'c';
      }),
    ]);
    expect(order).toEqual([1, 2, 3]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'a',
      'job 2 failed',
      'c',
    ]);
    expect(queue.size).toBe(0);
  });

  it('refuses jobs beyond its capacity at once, and takes them again once it drains', async () => {
    const queue = new WorkQueue(2);
    const first = queue.run(() => 1);
    const second = queue.run(() => 2);
    expect(queue.size).toBe(2);
    await expect(queue.run(() => 3)).rejects.toBeInstanceOf(QueueFullError);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    await expect(queue.run(() => 4)).resolves.toBe(4);
  });

  it('drops a job whose signal aborted before it started', async () => {
    const queue = new WorkQueue(4);
    const controller = new AbortController();
    let ran = false;
    const blocker = queue.run(() => 'first');
    const dropped = queue.run(() => {
      ran = true;
    }, controller.signal);
    controller.abort();
    await expect(blocker).resolves.toBe('first');
    await expect(dropped).rejects.toBeInstanceOf(JobAbortedError);
    expect(ran).toBe(false);
  });

  it('gives the event loop a turn between two jobs', async () => {
    const queue = new WorkQueue(4);
    let turns = 0;
    const seen: number[] = [];
    await Promise.all([
      queue.run(() => {
        setImmediate(() => turns++);
        seen.push(turns);
      }),
      queue.run(() => seen.push(turns)),
    ]);
    expect(seen).toEqual([0, 1]);
  });

  it('idle() resolves once the queue has drained', async () => {
    const queue = new WorkQueue(4);
    await queue.idle();
    let done = 0;
    for (let i = 0; i < 3; i++) void queue.run(() => done++);
    await queue.idle();
    expect(done).toBe(3);
    expect(() => new WorkQueue(0)).toThrow(/capacity must be a positive integer \(got 0\)/);
  });
});
