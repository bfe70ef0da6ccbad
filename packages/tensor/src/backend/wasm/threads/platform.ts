/**
 * @file How this platform starts worker threads. The default starts Web Workers from a Blob URL (browsers; also
 * Deno and Bun, which have the global); the package's Node entry (src/platform/node.ts) installs a factory on
 * `worker_threads` instead, so no Node import sits on the browser's code path.
 */

/** What a factory reports back about one worker. */
export interface WorkerEvents {
  /** A message the worker posted: `{ type: 'ready' }` or `{ type: 'error', message }`. */
  message(data: unknown): void;
  /** The worker could not start, threw, or exited without being terminated. */
  error(reason: string): void;
}

export interface ThreadWorker {
  postMessage(message: unknown): void;
  terminate(): void;
}

export interface WorkerFactory {
  /** Logical processors the platform reports (the default thread count is derived from it). */
  readonly hardwareConcurrency: number;
  /**
   * Starts a worker evaluating `source` (a classic script that defines `serve(data, report)`) and arranges for
   * its first message to be passed to `serve`. The worker must not keep the process alive on its own.
   */
  create(source: string, events: WorkerEvents): ThreadWorker;
}

/** undefined: not decided yet (the Web Worker default is built on first use). */
let factory: WorkerFactory | null | undefined;

/** Installs how workers are started on this platform (null: never start any). */
export function setWorkerFactory(workerFactory: WorkerFactory | null): void {
  factory = workerFactory;
}

export function workerFactory(): WorkerFactory | null {
  if (factory === undefined) factory = webWorkerFactory();
  return factory;
}

/**
 * Whether this runtime can share memory with workers: SharedArrayBuffer and Atomics exist (browsers expose them
 * only to cross-origin isolated pages: COOP `same-origin` + COEP `require-corp`) and workers can be started.
 */
export function threadsSupported(): boolean {
  const scope = globalThis as {
    SharedArrayBuffer?: unknown;
    Atomics?: unknown;
    crossOriginIsolated?: boolean;
  };
  return (
    typeof scope.SharedArrayBuffer === 'function' &&
    typeof scope.Atomics === 'object' &&
    scope.crossOriginIsolated !== false &&
    workerFactory() !== null
  );
}

interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string; preventDefault?(): void }) => void) | null;
  onmessageerror: (() => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

interface WebScope {
  Worker?: new (url: string) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL?(blob: object): string };
  navigator?: { hardwareConcurrency?: number };
}

/** Hands the first message to `serve`, then leaves the message channel alone (the worker never yields again). */
const webShim = `
self.onmessage = (event) => {
  self.onmessage = null;
  serve(event.data, (message) => self.postMessage(message));
};
`;

/** Web Workers from a Blob URL, made on first use and kept: every worker runs the same source. */
function webWorkerFactory(): WorkerFactory | null {
  const { Worker, Blob, URL, navigator } = globalThis as WebScope;
  if (!Worker || !Blob || !URL?.createObjectURL) return null;
  const createObjectURL = URL.createObjectURL.bind(URL);
  const urls = new Map<string, string>();
  return {
    hardwareConcurrency: navigator?.hardwareConcurrency ?? 1,
    create(source, events) {
      let url = urls.get(source);
      if (url === undefined) {
        url = createObjectURL(new Blob([source, webShim], { type: 'text/javascript' }));
        urls.set(source, url);
      }
      const worker = new Worker(url);
      worker.onmessage = (event) => events.message(event.data);
      worker.onerror = (event) => {
        event.preventDefault?.();
        events.error(event.message ?? 'worker error');
      };
      worker.onmessageerror = () => events.error('worker message could not be deserialised');
      return worker;
    },
  };
}
