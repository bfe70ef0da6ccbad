/**
 * @file Tensor storage: allocation, and reuse of the arrays backward has finished with.
 *
 * A training step allocates the same few sizes again and again. A fresh typed array costs its zeroing and page
 * faults, and the array buffers left behind start the collector by their external size alone (profiled on the
 * translator's Transformer: 268 MB in ≈ 650 arrays per step, ≈ 40 ms allocating and ≈ 25 ms collecting). So
 * the arrays backward is done with are kept, up to a limit, for the next tensors of about their size. Only the
 * autograd engine gives arrays back, and only ones it allocated itself that nothing else can reach (see
 * autograd/gradient-storage.ts): users never manage memory.
 */
import { arrayConstructors, type DType, type TypedArray } from './dtype.js';

/** Smaller arrays are cheap to allocate and not worth keeping. */
const MIN_POOLED_BYTES = 1 << 14;
/**
 * Free arrays are sorted into classes, eight per doubling of the length. A request takes an array from its own
 * class or one of the next few (a longer array, handed out as a view of the requested length): the next batch,
 * a few tokens shorter or longer than the last, still finds arrays, at most 2^(5/8) ≈ 1.5 times as long.
 */
const CLASSES_PER_DOUBLING = 8;
const LONGER_CLASSES = 4;

let limitBytes = 64 * 2 ** 20;
let pooledBytes = 0;
/** Free arrays (each the whole of its buffer) by dtype and size class. */
const free = new Map<DType, Map<number, TypedArray[]>>();
/** Every free array with its dtype, oldest first: the first to go when the pool is over its limit. */
const age = new Map<TypedArray, DType>();
let born: WeakSet<TypedArray> | null = null;
let poison = false;

const classLength = (sizeClass: number): number => Math.ceil(2 ** (sizeClass / CLASSES_PER_DOUBLING));

/** The class of an array of `length` elements: the largest whose length it reaches. */
function classOf(length: number): number {
  let sizeClass = Math.floor(Math.log2(length) * CLASSES_PER_DOUBLING);
  while (classLength(sizeClass) > length) sizeClass--;
  while (classLength(sizeClass + 1) <= length) sizeClass++;
  return sizeClass;
}

function listOf(dtype: DType, sizeClass: number): TypedArray[] {
  let byClass = free.get(dtype);
  if (!byClass) {
    byClass = new Map();
    free.set(dtype, byClass);
  }
  let list = byClass.get(sizeClass);
  if (!list) {
    list = [];
    byClass.set(sizeClass, list);
  }
  return list;
}

/** A free array of `length` elements (a view of a possibly longer one) with stale contents, or null. */
function take(dtype: DType, length: number): TypedArray | null {
  if (length * arrayConstructors[dtype].BYTES_PER_ELEMENT < MIN_POOLED_BYTES) return null;
  const byClass = free.get(dtype);
  if (!byClass) return null;
  const own = classOf(length);
  for (let sizeClass = own; sizeClass <= own + LONGER_CLASSES; sizeClass++) {
    const list = byClass.get(sizeClass);
    if (!list?.length) continue;
    // The longer classes' arrays all fit; in the request's own class, some may be a little short.
    let at = list.length - 1;
    if (sizeClass === own) while (at >= 0 && list[at].length < length) at--;
    if (at < 0) continue;
    const whole = list[at];
    list[at] = list[list.length - 1];
    list.pop();
    age.delete(whole);
    pooledBytes -= whole.byteLength;
    const array = whole.length === length ? whole : whole.subarray(0, length);
    if (poison) array.fill(dtype === 'float32' || dtype === 'float64' ? Number.NaN : 0x5a);
    return array;
  }
  return null;
}

/** Storage for `size` elements of `dtype`, zero-filled. */
export function allocate(dtype: DType, size: number): TypedArray {
  const array = take(dtype, size)?.fill(0) ?? new arrayConstructors[dtype](size);
  born?.add(array);
  return array;
}

/** Storage for `size` elements of `dtype` whose contents are undefined: for callers that write every element. */
export function allocateForOverwrite(dtype: DType, size: number): TypedArray {
  const array = take(dtype, size) ?? new arrayConstructors[dtype](size);
  born?.add(array);
  return array;
}

/** Gives an array (from allocate) back. The caller guarantees that nothing reads or writes it any more. */
export function releaseStorage(dtype: DType, array: TypedArray): void {
  const { buffer } = array;
  if (!(buffer instanceof ArrayBuffer) || array.byteOffset !== 0) return; // not one of allocate's
  if (buffer.byteLength < MIN_POOLED_BYTES || buffer.byteLength > limitBytes) return;
  const whole = array.byteLength === buffer.byteLength ? array : new arrayConstructors[dtype](buffer);
  listOf(dtype, classOf(whole.length)).push(whole);
  age.set(whole, dtype);
  pooledBytes += whole.byteLength;
  evictToLimit();
}

function evictToLimit(): void {
  for (const [oldest, dtype] of age) {
    if (pooledBytes <= limitBytes) return;
    const list = listOf(dtype, classOf(oldest.length));
    list.splice(list.indexOf(oldest), 1);
    age.delete(oldest);
    pooledBytes -= oldest.byteLength;
  }
}

/**
 * Runs `body` with every array allocated meanwhile recorded in the set it receives (weakly: tracking keeps
 * nothing alive). Not reentrant: backward is the only caller and never nests.
 */
export function trackAllocations<T>(body: (allocated: WeakSet<TypedArray>) => T): T {
  const outer = born;
  born = new WeakSet();
  try {
    return body(born);
  } finally {
    born = outer;
  }
}

/**
 * Caps the bytes kept for reuse (default 64 MiB); 0 turns reuse off and lets the collector have the arrays
 * already kept.
 */
export function setStoragePoolLimit(bytes: number): void {
  if (!(bytes >= 0)) throw new RangeError(`setStoragePoolLimit: expected bytes ≥ 0, got ${bytes}`);
  limitBytes = bytes;
  evictToLimit();
}

/** What the pool holds now: for tests and memory diagnostics. */
export function storagePoolStats(): { arrays: number; bytes: number; limitBytes: number } {
  return { arrays: age.size, bytes: pooledBytes, limitBytes };
}

/**
 * For tests: reused arrays come out filled with NaN (0x5a for integers and bools), so an op that promised to
 * overwrite its whole output, and did not, shows it.
 */
export function poisonReusedStorage(on: boolean): void {
  poison = on;
}
