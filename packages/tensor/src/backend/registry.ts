/**
 * @file Which backend runs the kernels. The one piece of backend state, and it lives here alone.
 *
 * The default is `wasm` where the engine runs WebAssembly SIMD and `js` elsewhere, decided on first use (so
 * importing the package compiles nothing). `TENSORLOOM_BACKEND=js|wasm` in the environment (Node, or any
 * runtime with environment variables) or `setBackend(name)` choose explicitly.
 */
import { TensorloomError } from '../errors.js';
import type { Backend } from './backend.js';
import { environmentVariable } from './environment.js';
import { jsBackend } from './js/index.js';
import { wasmBackend } from './wasm/index.js';
import { loadKernels } from './wasm/loader.js';

const backends = new Map<string, Backend>([
  [jsBackend.name, jsBackend],
  [wasmBackend.name, wasmBackend],
]);
/** null until the first op (or setBackend) decides. */
let current: Backend | null = null;

export function getBackend(): Backend {
  if (current === null) current = defaultBackend();
  return current;
}

/** Selects a registered backend by name (`'js'` and `'wasm'` are always there). */
export function setBackend(name: string): void {
  current = lookup('setBackend', name);
}

/** Makes a backend selectable with setBackend. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

function lookup(caller: string, name: string): Backend {
  const backend = backends.get(name);
  if (!backend) {
    throw new TensorloomError(
      `${caller}: unknown backend '${name}' (registered: ${[...backends.keys()].join(', ')})`,
    );
  }
  return backend;
}

function defaultBackend(): Backend {
  const requested = environmentVariable('TENSORLOOM_BACKEND');
  if (requested) return lookup('TENSORLOOM_BACKEND', requested);
  return loadKernels() ? wasmBackend : jsBackend;
}
