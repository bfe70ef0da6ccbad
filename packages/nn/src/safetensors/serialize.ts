/** @file Writing a state dict as safetensors bytes, laid out exactly as the reference implementation does. */
import { Tensor } from '@tensorloom/tensor';
import {
  compareCodePoints,
  encodeUtf8,
  fail,
  isPlainObject,
  isWellFormed,
  kindOf,
  littleEndianHost,
  maxHeaderBytes,
  metadataKey,
  quote,
  referenceOrder,
  type SafetensorsDtype,
  writtenDtype,
} from './format.js';

interface Item {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
  bytes: Uint8Array;
}

/**
 * The safetensors bytes of a state dict (float32 → F32, float64 → F64, int32 → I32, bool → BOOL), with optional
 * string metadata. Views (transposed, sliced, expanded tensors) are written by value, row-major. The layout is
 * the reference implementation's, byte for byte: tensors sorted by dtype alignment (largest first) and then by
 * name, `__metadata__` first in the header (its keys sorted), header padded with spaces to a multiple of 8.
 * @example
 * const bytes = serializeSafetensors(model.stateDict(), { format: 'pt' });
 */
export function serializeSafetensors(
  stateDict: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  if (!isPlainObject(stateDict) || stateDict instanceof Map) {
    fail(`the state dict must be a plain object of tensors (got ${kindOf(stateDict)})`);
  }
  const items = Object.keys(stateDict).map((name) => toItem(name, stateDict[name]));
  items.sort(
    (a, b) => referenceOrder[b.dtype] - referenceOrder[a.dtype] || compareCodePoints(a.name, b.name),
  );

  const fields: string[] = [];
  if (metadata !== undefined) fields.push(`"${metadataKey}":${metadataJson(metadata)}`);
  let offset = 0;
  for (const { name, dtype, shape, bytes } of items) {
    const offsets = `[${offset},${offset + bytes.length}]`;
    fields.push(
      `${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":${offsets}}`,
    );
    offset += bytes.length;
  }
  const json = encodeUtf8(`{${fields.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8; // pad so every tensor starts 8-byte aligned
  if (headerLength > maxHeaderBytes) {
    fail(`the header would be ${headerLength} bytes, over the ${maxHeaderBytes}-byte limit readers enforce`);
  }

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true); // u64 little-endian; the high word stays 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces
  let at = 8 + headerLength;
  for (const { bytes } of items) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

function toItem(name: string, value: unknown): Item {
  if (name === metadataKey)
    fail(`the name '${metadataKey}' is reserved for metadata and cannot name a tensor`);
  if (!isWellFormed(name)) fail(`tensor name ${quote(name)} contains a lone UTF-16 surrogate`);
  if (!(value instanceof Tensor)) fail(`${quote(name)} must be a Tensor (got ${kindOf(value)})`);
  return { name, dtype: writtenDtype[value.dtype], shape: value.shape, bytes: littleEndianBytes(value) };
}

/** The tensor's elements, row-major and little-endian; a view of its storage when that already fits. */
function littleEndianBytes(t: Tensor): Uint8Array {
  const data = t.isContiguous() ? t.data.subarray(t.offset, t.offset + t.size) : t.dataSync();
  if (data instanceof Uint8Array) {
    // bool: the format wants 0/1 bytes, which is what tensor ops produce; normalise storage made by hand.
    return data.every((b) => b <= 1) ? data : data.map((b) => (b === 0 ? 0 : 1));
  }
  if (littleEndianHost) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float64Array) view.setFloat64(8 * i, data[i], true);
    else if (data instanceof Float32Array) view.setFloat32(4 * i, data[i], true);
    else view.setInt32(4 * i, data[i], true);
  }
  return out;
}

/** `{"key":"value",…}` with keys in code-point order: deterministic whatever order the object was built in. */
function metadataJson(metadata: Record<string, string>): string {
  if (!isPlainObject(metadata)) fail(`${metadataKey} must be an object of strings (got ${kindOf(metadata)})`);
  const keys = Object.keys(metadata).sort(compareCodePoints);
  const fields = keys.map((key) => {
    const value: unknown = metadata[key];
    if (typeof value !== 'string') {
      fail(`${metadataKey} values must be strings (${quote(key)} holds ${kindOf(value)})`);
    }
    if (!isWellFormed(key) || !isWellFormed(value)) {
      fail(`${metadataKey} entry ${quote(key)} contains a lone UTF-16 surrogate`);
    }
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${fields.join(',')}}`;
}
