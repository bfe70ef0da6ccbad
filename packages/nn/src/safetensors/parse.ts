/**
 * @file Reading safetensors bytes that may come from anywhere. The whole header is validated before any tensor
 * is read, and every failure is a SafetensorsError: no other exception, no partial result. Tensors are copied
 * out of the file, so they never alias the caller's buffer and may start at any (unaligned) offset.
 */
import { Tensor } from '@tensorloom/tensor';
import {
  decodeUtf8,
  defineOwn,
  dtypeInfo,
  fail,
  isPlainObject,
  kindOf,
  littleEndianHost,
  maxHeaderBytes,
  maxNesting,
  metadataKey,
  quote,
  type SafetensorsContents,
  type SafetensorsDtype,
  show,
} from './format.js';

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range [begin, end) in the data buffer. */
  begin: number;
  end: number;
}

/**
 * Reads a safetensors file: F64 → float64; F32, F16, BF16 → float32; I64 (if every value fits), I32, I16, I8,
 * U8 → int32; BOOL → bool. Throws a SafetensorsError naming the tensor and the problem for any malformed input.
 * @example
 * const { tensors, metadata } = parseSafetensors(await (await fetch('model.safetensors')).arrayBuffer());
 * model.loadStateDict(tensors);
 */
export function parseSafetensors(bytes: ArrayBuffer | Uint8Array): SafetensorsContents {
  const file = asBytes(bytes);
  const { entries, metadata, dataStart } = readHeader(file);
  const tensors: Record<string, Tensor> = {};
  for (const entry of entries) {
    const data = file.subarray(dataStart + entry.begin, dataStart + entry.end);
    defineOwn(tensors, entry.name, new Tensor(decode(entry, data), entry.shape));
  }
  return { tensors, metadata };
}

function asBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const tag = Object.prototype.toString.call(input);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
    return new Uint8Array(input as ArrayBuffer);
  }
  return fail(`expected an ArrayBuffer or a Uint8Array (got ${kindOf(input)})`);
}

function readHeader(file: Uint8Array): {
  entries: Entry[];
  metadata: Record<string, string>;
  dataStart: number;
} {
  if (file.length < 8) fail(`file is ${file.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(file.buffer, file.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  if (high !== 0 || low > maxHeaderBytes) {
    fail(`header length ${(BigInt(high) << 32n) | BigInt(low)} exceeds the limit of ${maxHeaderBytes} bytes`);
  }
  const headerLength = low;
  const available = file.length - 8;
  if (headerLength > available) {
    fail(`header length ${headerLength} exceeds the ${available} bytes after the length field`);
  }
  const text = decodeUtf8(file.subarray(8, 8 + headerLength));
  if (text === null) return fail('header is not valid UTF-8');
  checkNesting(text);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    // V8 quotes a snippet of the text: keep it short and its control characters visible.
    const reason = Array.from(String((error as Error)?.message ?? error).slice(0, 200), (c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : c;
    });
    fail(`header is not valid JSON (${reason.join('')})`);
  }
  if (!isPlainObject(header)) fail(`header must be a JSON object (got ${kindOf(header)})`);
  rejectDuplicateKeys(text);

  const bufferLength = available - headerLength;
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const name of Object.keys(header)) {
    if (name === metadataKey) metadata = readMetadata(header[name]);
    else entries.push(readEntry(name, header[name], bufferLength));
  }
  return { entries: checkCoverage(entries, bufferLength), metadata, dataStart: 8 + headerLength };
}

/**
 * serde_json, which the reference parses headers with, refuses more than 128 levels of nesting; so do we, and
 * before JSON.parse, which takes seconds on a 100 MB header of brackets. The text may be any string here.
 */
function checkNesting(text: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // '"': skip the string, escapes included
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxNesting) fail(`header nests deeper than ${maxNesting} levels`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
}

/**
 * JSON.parse keeps the last of repeated keys without a word, so a file could show one reader a tensor that
 * another reader never sees. This scan walks the (already validated) JSON text and rejects any object key that
 * occurs twice, at any depth, comparing keys after unescaping ("a" and "\u0061" are the same key).
 */
function rejectDuplicateKeys(text: string): void {
  const frames: { keys: Set<string> | null; owner: string }[] = []; // keys is null for arrays
  let lastKey = '';
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // '"': skip to the closing quote; the text is valid JSON, so there is one.
      const start = i + 1;
      let escaped = false;
      for (i = start; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          i++;
          escaped = true;
        }
      }
      if (!expectKey) continue;
      const raw = text.slice(start, i);
      const key: string = escaped ? JSON.parse(`"${raw}"`) : raw;
      const frame = frames[frames.length - 1];
      if (frame.keys?.has(key)) {
        fail(
          frames.length === 1
            ? `header lists ${quote(key)} twice`
            : `header repeats the key ${quote(key)} inside ${quote(frame.owner)}`,
        );
      }
      frame.keys?.add(key);
      lastKey = key;
      expectKey = false;
    } else if (c === 0x7b || c === 0x5b) {
      // '{' or '['
      frames.push({ keys: c === 0x7b ? new Set() : null, owner: lastKey });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      // '}' or ']'
      frames.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      // ','
      expectKey = frames[frames.length - 1].keys !== null;
    }
  }
}

function readMetadata(value: unknown): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (value === null) return metadata; // the reference reads null as "no metadata"
  if (!isPlainObject(value)) fail(`${metadataKey} must map strings to strings (got ${kindOf(value)})`);
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') {
      fail(`${metadataKey} must map strings to strings (${quote(key)} holds ${kindOf(text)})`);
    }
    defineOwn(metadata, key, text);
  }
  return metadata;
}

const isSize = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function readEntry(name: string, info: unknown, bufferLength: number): Entry {
  const what = `tensor ${quote(name)}`;
  if (!isPlainObject(info)) {
    fail(`${what} must be an object with dtype, shape and data_offsets (got ${kindOf(info)})`);
  }
  const { dtype, shape, data_offsets: offsets } = info;
  const spec = typeof dtype === 'string' ? dtypeInfo.get(dtype) : undefined;
  if (spec === undefined) {
    fail(
      `${what} has unsupported dtype ${show(dtype)} (expected one of ${[...dtypeInfo.keys()].join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    fail(`${what} shape must be a list of non-negative integers (got ${show(shape)})`);
  }
  let numel = 1;
  for (const size of shape) {
    numel *= size;
    if (numel > Number.MAX_SAFE_INTEGER) fail(`${what} shape ${show(shape)} has more than 2^53 elements`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) {
    fail(`${what} data_offsets must be [begin, end] with non-negative integers (got ${show(offsets)})`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${what} data_offsets [${begin}, ${end}] end before they begin`);
  if (end > bufferLength) {
    fail(`${what} data_offsets [${begin}, ${end}] exceed the ${bufferLength}-byte data buffer`);
  }
  const nbytes = numel * spec.itemsize;
  if (end - begin !== nbytes) {
    fail(
      `${what} data_offsets [${begin}, ${end}] do not match shape ${show(shape)} × ${dtype} = ${nbytes} bytes`,
    );
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: shape.map((d) => d + 0), begin, end }; // + 0: no -0
}

/**
 * Like the reference: sorted by offset, the tensors must tile the data buffer exactly, with no overlap, no
 * hole and nothing after the last one. Returns the entries in offset order.
 */
function checkCoverage(entries: Entry[], bufferLength: number): Entry[] {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | null = null;
  for (const entry of sorted) {
    if (entry.begin < covered && previous) {
      fail(
        `tensors ${quote(previous.name)} [${previous.begin}, ${previous.end}] and ${quote(entry.name)} [${entry.begin}, ${entry.end}] overlap`,
      );
    }
    if (entry.begin > covered) {
      fail(
        `bytes [${covered}, ${entry.begin}) of the data buffer belong to no tensor (before ${quote(entry.name)})`,
      );
    }
    covered = entry.end;
    previous = entry;
  }
  if (covered !== bufferLength) {
    fail(`bytes [${covered}, ${bufferLength}) at the end of the data buffer belong to no tensor`);
  }
  return sorted;
}

function decode(entry: Entry, bytes: Uint8Array): Float64Array | Float32Array | Int32Array | Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (entry.dtype) {
    case 'F64':
      return copyWords(Float64Array, bytes, (at) => view.getFloat64(at, true));
    case 'F32':
      return copyWords(Float32Array, bytes, (at) => view.getFloat32(at, true));
    case 'I32':
      return copyWords(Int32Array, bytes, (at) => view.getInt32(at, true));
    case 'F16':
      return widen16(bytes.length / 2, (i) => halfToSingleBits(view.getUint16(2 * i, true)));
    case 'BF16':
      return widen16(bytes.length / 2, (i) => view.getUint16(2 * i, true) << 16); // bf16 = top half of f32
    case 'I64':
      return narrowInt64(entry.name, view);
    case 'I16':
      return Int32Array.from({ length: bytes.length / 2 }, (_, i) => view.getInt16(2 * i, true));
    case 'I8':
      return Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    case 'U8':
      return Int32Array.from(bytes);
    case 'BOOL':
      return bytes.map((b) => (b === 0 ? 0 : 1)); // a fresh copy; any non-zero byte is true
  }
}

type WordArray = Float64Array | Float32Array | Int32Array;

/** A fresh, aligned copy of little-endian words: a byte copy on little-endian hosts (bit-exact, NaN payloads too). */
function copyWords<T extends WordArray>(
  Ctor: { new (length: number): T; BYTES_PER_ELEMENT: number },
  bytes: Uint8Array,
  read: (at: number) => number,
): T {
  const out = new Ctor(bytes.length / Ctor.BYTES_PER_ELEMENT);
  if (littleEndianHost) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i++) out[i] = read(i * Ctor.BYTES_PER_ELEMENT);
  return out;
}

/** float32 values built from their bit patterns, so the widening is exact. */
function widen16(length: number, bitsAt: (i: number) => number): Float32Array {
  const out = new Float32Array(length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < length; i++) bits[i] = bitsAt(i);
  return out;
}

/** IEEE half (1-5-10) → single (1-8-23) bits; every half value, subnormals and NaN payloads included, is exact. */
function halfToSingleBits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >> 10) & 0x1f;
  let mantissa = half & 0x3ff;
  if (exponent === 0x1f) return sign | 0x7f800000 | (mantissa << 13); // ±inf, NaN
  if (exponent !== 0) return sign | ((exponent + 112) << 23) | (mantissa << 13); // rebias 15 → 127
  if (mantissa === 0) return sign; // ±0
  // Subnormal m·2⁻²⁴: shift the leading 1 up to bit 10, lowering the exponent once per shift.
  let biased = 113;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    biased--;
  }
  return sign | (biased << 23) | ((mantissa & 0x3ff) << 13);
}

function narrowInt64(name: string, view: DataView): Int32Array {
  const out = new Int32Array(view.byteLength / 8);
  for (let i = 0; i < out.length; i++) {
    const low = view.getUint32(8 * i, true);
    const high = view.getInt32(8 * i + 4, true);
    // The value fits in int32 exactly when the high word is the sign extension of the low word.
    if (high !== (low >= 0x80000000 ? -1 : 0)) {
      const value = (BigInt(high) << 32n) + BigInt(low);
      fail(
        `tensor ${quote(name)} (I64) holds ${value} at flat index ${i}, outside int32's range [-2147483648, 2147483647]`,
      );
    }
    out[i] = low | 0;
  }
  return out;
}
