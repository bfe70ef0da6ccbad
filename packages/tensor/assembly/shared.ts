/** @file The shared-memory module's exports: everything in index.ts, plus the entry point of worker threads. */
export { adam, heapBase, lstmCellGates, matmul, workBytes } from './index';
export { work } from './threads';
