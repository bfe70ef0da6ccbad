/** @file Which backend runs the kernels. The one piece of backend state, and it lives here alone. */
import { TensorloomError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

export function getBackend(): Backend {
  return current;
}

/** Selects a registered backend by name (`'js'` is always there). */
export function setBackend(name: string): void {
  const backend = backends.get(name);
  if (!backend) {
    throw new TensorloomError(
      `setBackend: unknown backend '${name}' (registered: ${[...backends.keys()].join(', ')})`,
    );
  }
  current = backend;
}

/** Makes a backend selectable with setBackend. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

export function listBackends(): string[] {
  return [...backends.keys()];
}
