/** @file The module's exports: the matmul kernel and where free memory starts for the caller's operands. */
export { matmul } from './matmul';

/** First byte after the module's static data (pack buffers), 64-byte aligned: the caller's scratch starts here. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}
