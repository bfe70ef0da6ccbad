/**
 * @file The safetensors layout (https://huggingface.co/docs/safetensors): an 8-byte little-endian u64 header
 * length N, N bytes of UTF-8 JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {…} }`
 * (padded with spaces to a multiple of 8 bytes), then the little-endian, row-major tensor bytes. Offsets count
 * from the start of that byte buffer. This file holds the tables and helpers shared by the reader and writer.
 */
import type { DType, Tensor } from '@tensorloom/tensor';
import { SafetensorsError } from './errors.js';

/** The safetensors dtypes Tensorloom reads. F16 and BF16 widen to float32; I64, I16, I8 and U8 become int32. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Tensor names to tensors, and the free-form string metadata of the `__metadata__` entry. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

interface DtypeInfo {
  /** Bytes per element. */
  itemsize: number;
  /** The Tensorloom dtype it is read into. */
  target: DType;
}

export const dtypeInfo: ReadonlyMap<string, DtypeInfo> = new Map<SafetensorsDtype, DtypeInfo>([
  ['F64', { itemsize: 8, target: 'float64' }],
  ['F32', { itemsize: 4, target: 'float32' }],
  ['F16', { itemsize: 2, target: 'float32' }],
  ['BF16', { itemsize: 2, target: 'float32' }],
  ['I64', { itemsize: 8, target: 'int32' }],
  ['I32', { itemsize: 4, target: 'int32' }],
  ['I16', { itemsize: 2, target: 'int32' }],
  ['I8', { itemsize: 1, target: 'int32' }],
  ['U8', { itemsize: 1, target: 'int32' }],
  ['BOOL', { itemsize: 1, target: 'bool' }],
]);

/** The dtype each Tensorloom dtype is written as. */
export const writtenDtype: Readonly<Record<DType, SafetensorsDtype>> = {
  float64: 'F64',
  float32: 'F32',
  int32: 'I32',
  bool: 'BOOL',
};

/**
 * Position in the reference implementation's `Dtype` enum, which is ordered by alignment. Its writer lays
 * tensors out by descending position, then by name (byte order), so every tensor starts aligned; we match it.
 */
export const referenceOrder: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 5,
  F16: 7,
  BF16: 8,
  I32: 9,
  F32: 11,
  F64: 12,
  I64: 13,
};

/** The reference implementation's limit on the header length (MAX_HEADER_SIZE). */
export const maxHeaderBytes = 100_000_000;

/** serde_json's recursion limit, which the reference's header parsing inherits. */
export const maxNesting = 128;

export const metadataKey = '__metadata__';

// The build targets bare ES2022 (no DOM lib, no @types/node), which does not declare these WHATWG globals;
// every runtime we support (Node ≥ 11, browsers, Deno, Bun) provides them.
declare const TextDecoder: new (
  label: string,
  options: { fatal: boolean; ignoreBOM: boolean },
) => { decode(input: Uint8Array): string };
declare const TextEncoder: new () => { encode(input: string): Uint8Array };

// fatal: malformed UTF-8 throws rather than turning into U+FFFD. ignoreBOM: a leading BOM stays in the text,
// where JSON.parse rejects it, as the reference (serde_json) does.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Strict UTF-8 decoding; null if the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** True for strings without lone surrogates, i.e. strings that UTF-8 (and the reference's JSON) can carry. */
export function isWellFormed(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}

/** Orders strings by code point, which is the UTF-8 byte order the reference sorts names by. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++; // both strings hold the same surrogate pair here
  }
  return a.length - b.length;
}

/** True on every mainstream engine; typed arrays then view safetensors' little-endian bytes directly. */
export const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function fail(message: string): never {
  throw new SafetensorsError(`safetensors: ${message}`);
}

/** A name from an untrusted file, quoted, escaped and shortened for an error message. */
export function quote(name: string): string {
  const short = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  return `'${JSON.stringify(short).slice(1, -1)}'`;
}

/** A short, bounded description of an untrusted JSON value for an error message. */
export function show(value: unknown, depth = 0): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (!Array.isArray(value)) return 'an object';
  if (depth > 1) return '[…]';
  const items = value.slice(0, 8).map((v) => show(v, depth + 1));
  return `[${items.join(',')}${value.length > 8 ? ',…' : ''}]`;
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const type = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof type === 'string' && type !== 'Object' ? `a ${type}` : 'an object';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own enumerable property, safe for the name '__proto__' (plain assignment would set the prototype). */
export function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
