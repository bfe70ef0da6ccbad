/**
 * @file What a worker thread runs, as source text: the package ships it inside its own code, so starting a
 * worker fetches nothing (a Blob URL in browsers, `eval` in Node). It defines `serve(data, report)`; each
 * platform's factory appends the few lines that call it with the first message and a way to post back.
 *
 * `serve` instantiates the kernels on the shared memory it was sent, raises its READY flag, and then loops
 * forever: poll SEQ for a while (READY = AWAKE), then `Atomics.wait` on it (READY = ASLEEP); on a new job, claim
 * and run tasks (`work` does that in wasm). It never returns to its event loop once ready: the only way out is `terminate()`. A kernel that throws
 * raises FAILED and wakes the caller, which stops using threads.
 */
import { ASLEEP, AWAKE, CONTROL_WORDS, FAILED, READY, REMAINING, SEQ } from './control.js';

/** What the caller posts to a new worker. */
export interface WorkerStart {
  /** The compiled shared-memory build. */
  readonly module: object;
  readonly memory: object;
  /** Byte address of the control block. */
  readonly control: number;
  /** This worker's thread index, 1 … MAX_THREADS − 1 (the caller is thread 0). */
  readonly thread: number;
  /** Milliseconds to keep polling SEQ after a job before sleeping: a job that comes soon after wakes no one. */
  readonly spinMs: number;
}

/** Plain ES2017 in one function: the text is evaluated as is, so it must not refer to anything outside it. */
export const workerSource = `'use strict';
function serve(data, report) {
  const { module, memory, control, thread, spinMs } = data;
  let kernels;
  try {
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch (error) {
    report({ type: 'error', message: 'cannot instantiate the kernels: ' + error });
    return;
  }
  const words = new Int32Array(memory.buffer, control, ${CONTROL_WORDS});
  let seen = Atomics.load(words, ${SEQ});
  Atomics.store(words, ${READY} + thread, ${AWAKE});
  report({ type: 'ready', thread });
  for (;;) {
    let seq = Atomics.load(words, ${SEQ});
    for (const until = performance.now() + spinMs; seq === seen && performance.now() < until; ) {
      for (let i = 0; seq === seen && i < 100; i++) seq = Atomics.load(words, ${SEQ});
    }
    if (seq === seen) {
      Atomics.store(words, ${READY} + thread, ${ASLEEP});
      Atomics.wait(words, ${SEQ}, seen);
      Atomics.store(words, ${READY} + thread, ${AWAKE});
      continue;
    }
    seen = seq;
    try {
      kernels.work(control, thread, seq);
    } catch (error) {
      Atomics.store(words, ${FAILED}, 1);
      Atomics.notify(words, ${REMAINING});
      report({ type: 'error', message: 'kernel failed: ' + error });
      return;
    }
  }
}
`;
