/**
 * @file A bounded queue for CPU-bound work on the event loop's thread. Jobs run one at a time, and the loop gets
 * a turn between two jobs (setImmediate runs after pending I/O), so new connections, health checks and 503s are
 * answered while a backlog drains. When `capacity` jobs are waiting or running, `run` refuses at once: under a
 * burst, memory stays bounded and clients learn to retry instead of waiting without end.
 */

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

/** The job's client went away before the job started: it was dropped unrun. */
export class JobAbortedError extends Error {
  override name = 'JobAbortedError';
}

interface Entry {
  job: () => unknown;
  signal: AbortSignal | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WorkQueue {
  readonly #waiting: Entry[] = [];
  #running = false;
  #scheduled = false;
  readonly #idleListeners: (() => void)[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`WorkQueue: capacity must be a positive integer (got ${capacity})`);
    }
  }

  /** Jobs waiting or running. */
  get size(): number {
    return this.#waiting.length + (this.#running ? 1 : 0);
  }

  /**
   * Runs `job` after the jobs before it. Rejects with QueueFullError when the queue is full, and with
   * JobAbortedError when `signal` aborts before the job starts.
   */
  run<T>(job: () => T, signal?: AbortSignal): Promise<T> {
    if (this.size >= this.capacity) {
      return Promise.reject(new QueueFullError(`work queue full (${this.capacity} jobs waiting or running)`));
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ job, signal, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Resolves once no job is waiting or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleListeners.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#runNext();
    });
  }

  #runNext(): void {
    const entry = this.#waiting.shift();
    if (!entry) {
      for (const listener of this.#idleListeners.splice(0)) listener();
      return;
    }
    if (entry.signal?.aborted) {
      entry.reject(new JobAbortedError('job dropped: its client went away'));
    } else {
      this.#running = true;
      try {
        entry.resolve(entry.job());
      } catch (error) {
        entry.reject(error);
      } finally {
        this.#running = false;
      }
    }
    if (this.#waiting.length > 0) this.#schedule();
    else for (const listener of this.#idleListeners.splice(0)) listener();
  }
}
