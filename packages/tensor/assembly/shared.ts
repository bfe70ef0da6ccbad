/** @file The shared-memory module's exports: everything in index.ts, plus the entry point of worker threads. */
export { heapBase, matmul, workBytes } from './index';
export { work } from './threads';
