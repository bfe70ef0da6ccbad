/// <reference types="node" />
/**
 * @file The package's entry point in Node (the `node` export condition): everything in index.ts, plus a worker
 * factory on `worker_threads`, so the wasm backend can split large products across threads. The only file in
 * src/ that imports Node built-ins; browsers and bundlers targeting them load index.ts, which starts Web Workers.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { setWorkerFactory } from '../backend/wasm/threads/platform.js';

export * from '../index.js';

/** Hands the first message to `serve` (worker-source.ts); `eval` workers are CommonJS scripts, so `require` works. */
const nodeShim = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', (data) => serve(data, (message) => parentPort.postMessage(message)));
`;

setWorkerFactory({
  hardwareConcurrency: availableParallelism(),
  create(source, events) {
    const worker = new Worker(source + nodeShim, { eval: true });
    let exited = false;
    worker.on('message', events.message);
    worker.on('error', (error) => events.error(String(error)));
    worker.on('messageerror', () => events.error('worker message could not be deserialised'));
    worker.on('exit', (code) => {
      exited = true;
      events.error(`exited with code ${code}`);
    });
    // An idle pool must not keep the process alive. After the listeners: a 'message' listener refs the port again.
    worker.unref();
    return {
      postMessage: (message) => worker.postMessage(message),
      terminate: () => {
        if (!exited) void worker.terminate();
      },
    };
  },
});
