import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors, SafetensorsError, serializeSafetensors } from '@tensorloom/nn';
import { arange, expand, slice, Tensor, TensorloomError, tensor, transpose } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

// ---- Helpers --------------------------------------------------------------------------------------------------

const ascii = (text: string) => new TextEncoder().encode(text);

/** u64 little-endian header length, the header text (bytes), then the body: a file laid out by hand. */
function rawFile(header: string | object, body: ArrayLike<number> = [], options: { length?: bigint } = {}) {
  const text = typeof header === 'string' ? ascii(header) : ascii(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, options.length ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}

const le = {
  f32: (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer),
  f64: (xs: number[]) => new Uint8Array(new Float64Array(xs).buffer),
  i32: (xs: number[]) => new Uint8Array(new Int32Array(xs).buffer),
  u16: (xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer),
  i16: (xs: number[]) => new Uint8Array(new Int16Array(xs).buffer),
  i64: (xs: bigint[]) => new Uint8Array(new BigInt64Array(xs).buffer),
};

/** Element values, compared with Object.is by toEqual: NaN matches NaN, -0 does not match 0. */
const values = (t: Tensor) => Array.from(t.dataSync(), Number);

function parseError(bytes: Uint8Array): SafetensorsError {
  try {
    parseSafetensors(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(SafetensorsError);
    expect(error).toBeInstanceOf(TensorloomError);
    return error as SafetensorsError;
  }
  throw new Error('expected parseSafetensors to throw');
}

const roundTrip = (stateDict: Record<string, Tensor>, metadata?: Record<string, string>) =>
  parseSafetensors(serializeSafetensors(stateDict, metadata));

// ---- Round trips ----------------------------------------------------------------------------------------------

describe('round trip', () => {
  it('keeps every written dtype bit for bit', () => {
    const f32 = [0, -0, 1.5, -2.25, Math.PI, 3.4e38, 1e-45, Infinity, -Infinity, NaN];
    const f64 = [0, -0, 0.1, -1e300, 5e-324, Number.MAX_VALUE, Infinity, NaN];
    const i32 = [-2147483648, 2147483647, 0, -1, 42];
    const { tensors } = roundTrip({
      f32: tensor(f32, { dtype: 'float32', shape: [2, 5] }),
      f64: tensor(f64, { dtype: 'float64', shape: [8] }),
      i32: tensor(i32, { dtype: 'int32', shape: [5, 1] }),
      bool: tensor([true, false, false, true, true, false], { dtype: 'bool', shape: [2, 3] }),
    });
    expect(tensors.f32.dtype).toBe('float32');
    expect(tensors.f32.shape).toEqual([2, 5]);
    expect(values(tensors.f32)).toEqual(Array.from(new Float32Array(f32)));
    expect(tensors.f64.dtype).toBe('float64');
    expect(values(tensors.f64)).toEqual(f64);
    expect(tensors.i32.dtype).toBe('int32');
    expect(tensors.i32.shape).toEqual([5, 1]);
    expect(values(tensors.i32)).toEqual(i32);
    expect(tensors.bool.dtype).toBe('bool');
    expect(tensors.bool.toArray()).toEqual([
      [true, false, false],
      [true, true, false],
    ]);
  });

  it('keeps NaN payloads of float32 and float64', () => {
    const f32 = new Float32Array(new Uint32Array([0x7fc00001, 0xffbfffff]).buffer);
    const f64 = new Float64Array(new BigUint64Array([0x7ff0000000000001n]).buffer);
    const { tensors } = roundTrip({ a: new Tensor(f32, [2]), b: new Tensor(f64, [1]) });
    expect(Array.from(new Uint32Array(tensors.a.dataSync().buffer))).toEqual([0x7fc00001, 0xffbfffff]);
    expect(new BigUint64Array(tensors.b.dataSync().buffer)[0]).toBe(0x7ff0000000000001n);
  });

  it('keeps 0-d tensors and empty tensors', () => {
    const { tensors } = roundTrip({
      scalar: tensor(2.5),
      int: tensor(7, { dtype: 'int32' }),
      flag: tensor(true),
      empty: tensor([], { dtype: 'float32', shape: [0] }),
      empty3d: tensor([], { dtype: 'int32', shape: [2, 0, 3] }),
    });
    expect(tensors.scalar.shape).toEqual([]);
    expect(tensors.scalar.item()).toBe(2.5);
    expect(tensors.int.shape).toEqual([]);
    expect(tensors.int.item()).toBe(7);
    expect(tensors.flag.shape).toEqual([]);
    expect(tensors.flag.dtype).toBe('bool');
    expect(tensors.empty.shape).toEqual([0]);
    expect(tensors.empty3d.shape).toEqual([2, 0, 3]);
    expect(tensors.empty3d.dtype).toBe('int32');
    expect(tensors.empty3d.size).toBe(0);
  });

  it('writes views (transposed, strided, expanded, offset) by value, row-major', () => {
    const base = arange(0, 12, 1, { dtype: 'float32' }).reshape([3, 4]);
    const views = {
      transposed: transpose(base, 0, 1),
      strided: slice(base, 1, 1, null, 2),
      expanded: expand(tensor([1, 2, 3], { dtype: 'int32' }).reshape([3, 1]), [3, 2]),
      offset: base.select(0, 2),
    };
    expect(views.transposed.isContiguous()).toBe(false);
    const { tensors } = roundTrip(views);
    for (const [name, view] of Object.entries(views)) {
      expect(tensors[name].shape).toEqual(view.shape);
      expect(tensors[name].isContiguous()).toBe(true);
      expect(tensors[name].toArray()).toEqual(view.toArray());
    }
  });

  it('keeps metadata, and reads a file without metadata as {}', () => {
    const metadata = { format: 'pt', 'ünïcode ✓': 'line1\nline2 "quoted"', '10': 'ten', '': 'empty key' };
    expect(roundTrip({ w: tensor([1]) }, metadata).metadata).toEqual(metadata);
    expect(roundTrip({ w: tensor([1]) }).metadata).toEqual({});
    expect(roundTrip({}, {})).toEqual({ tensors: {}, metadata: {} });
  });

  it('keeps any tensor name, __proto__ and integer-like names included', () => {
    const stateDict: Record<string, Tensor> = {};
    const names = ['', '__proto__', 'constructor', '0', '10', 'a.b.c', 'émbed\t"q"\\', 'z😀'];
    for (const [i, name] of names.entries()) {
      Object.defineProperty(stateDict, name, { value: tensor([i]), enumerable: true });
    }
    const { tensors } = roundTrip(stateDict);
    expect(Object.keys(tensors).sort()).toEqual([...names].sort());
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    for (const [i, name] of names.entries())
      expect(Object.getOwnPropertyDescriptor(tensors, name)?.value.item()).toBe(i);
  });

  it('copies out of the input: tensors do not alias the caller’s buffer', () => {
    const bytes = serializeSafetensors({ w: tensor([1, 2, 3], { dtype: 'float32' }) });
    const { tensors } = parseSafetensors(bytes);
    bytes.fill(0);
    expect(values(tensors.w)).toEqual([1, 2, 3]);
  });

  it('accepts an ArrayBuffer, a Node Buffer and a Uint8Array at any byteOffset', () => {
    const bytes = serializeSafetensors({ w: tensor([1.5, -2], { dtype: 'float64' }) });
    const expected = [1.5, -2];
    expect(values(parseSafetensors(bytes.slice().buffer).tensors.w)).toEqual(expected);
    expect(values(parseSafetensors(Buffer.from(bytes)).tensors.w)).toEqual(expected);
    for (const shift of [1, 3, 5]) {
      const padded = new Uint8Array(bytes.length + shift + 2);
      padded.set(bytes, shift);
      expect(values(parseSafetensors(padded.subarray(shift, shift + bytes.length)).tensors.w)).toEqual(
        expected,
      );
    }
  });
});

// ---- Layout -----------------------------------------------------------------------------------------------------

describe('layout', () => {
  // Byte-for-byte outputs of the reference implementation's own tests (huggingface/safetensors, tensor.rs).
  const f32Bytes = le.f32([0, 1, 2, 3, 4, 5]);
  const cases: [string, Record<string, Tensor>, Record<string, string> | undefined, Uint8Array][] = [
    [
      'one F32 tensor',
      { 'attn.0': new Tensor(new Float32Array([0, 1, 2, 3, 4, 5]), [1, 2, 3]) },
      undefined,
      rawFile('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}', f32Bytes),
    ],
    [
      'forced alignment padding',
      { attn0: new Tensor(new Float32Array([0, 1, 2, 3, 4, 5]), [1, 1, 2, 3]) },
      undefined,
      rawFile(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}${' '.repeat(7)}`, f32Bytes),
    ],
    ['no tensors', {}, undefined, rawFile(`{}${' '.repeat(6)}`)],
    [
      'metadata only',
      {},
      { framework: 'pt' },
      rawFile(`{"__metadata__":{"framework":"pt"}}${' '.repeat(5)}`),
    ],
  ];

  it.each(cases)('matches the reference implementation: %s', (_label, stateDict, metadata, expected) => {
    expect(serializeSafetensors(stateDict, metadata)).toEqual(expected);
    expect(Object.keys(parseSafetensors(expected).tensors)).toEqual(Object.keys(stateDict));
  });

  it('orders tensors by dtype alignment, then by name in UTF-8 byte order, and aligns every tensor', () => {
    const bytes = serializeSafetensors({
      'b.bool': tensor([true, false, true]),
      'a.int': tensor([1], { dtype: 'int32' }),
      'layers.2': tensor([1], { dtype: 'float32' }),
      'layers.10': tensor([1], { dtype: 'float32' }),
      'layers.1': tensor([1], { dtype: 'float32' }), // a prefix sorts first
      'z\uffff': tensor([1], { dtype: 'float64' }),
      'z😀': tensor([1], { dtype: 'float64' }), // before 'z\uffff' in UTF-16 order, after it in UTF-8 order
    });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text);
    expect(Object.keys(header)).toEqual([
      'z\uffff',
      'z😀',
      'layers.1',
      'layers.10',
      'layers.2',
      'a.int',
      'b.bool',
    ]);
    const itemsize: Record<string, number> = { F64: 8, F32: 4, I32: 4, BOOL: 1 };
    for (const info of Object.values<{ dtype: string; data_offsets: number[] }>(header)) {
      expect((8 + headerLength + info.data_offsets[0]) % itemsize[info.dtype]).toBe(0);
    }
  });

  it('sorts metadata keys, so the bytes do not depend on how the object was built', () => {
    const a = serializeSafetensors({}, { b: '2', a: '1', '10': 'x' });
    const b = serializeSafetensors({}, { '10': 'x', a: '1', b: '2' });
    expect(a).toEqual(b);
    expect(new TextDecoder().decode(a.subarray(8)).trim()).toBe(
      '{"__metadata__":{"10":"x","a":"1","b":"2"}}',
    );
  });
});

// ---- Reading the dtypes Tensorloom does not write ------------------------------------------------------------

describe('reading F16, BF16, I64, I16, I8, U8 and BOOL', () => {
  const read = (dtype: string, shape: number[], body: Uint8Array) =>
    parseSafetensors(rawFile({ t: { dtype, shape, data_offsets: [0, body.length] } }, body)).tensors.t;

  it('widens F16 to float32 exactly: normals, subnormals, ±0, ±inf, NaN', () => {
    const halves = [
      0x0000, 0x8000, 0x3c00, 0xc100, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x8001, 0x7c00, 0xfc00, 0x3555,
    ];
    const expected = [
      0,
      -0,
      1,
      -2.5,
      65504,
      2 ** -14,
      2 ** -24,
      1023 * 2 ** -24,
      -(2 ** -24),
      Infinity,
      -Infinity,
    ];
    const t = read('F16', [12], le.u16(halves));
    expect(t.dtype).toBe('float32');
    expect(values(t).slice(0, 11)).toEqual(expected);
    expect(values(t)[11]).toBe(Math.fround(0.333251953125));
    const nan = read('F16', [1], le.u16([0x7e01]));
    expect(new Uint32Array(nan.dataSync().buffer)[0]).toBe(0x7fc02000); // payload kept
  });

  it('widens BF16 to float32 exactly (the top 16 bits of a float32)', () => {
    const t = read('BF16', [2, 2], le.u16([0x3f80, 0xc0b4, 0x7f80, 0x0001]));
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 2]);
    expect(values(t)).toEqual([
      1,
      -5.625,
      Infinity,
      new Float32Array(new Uint32Array([0x00010000]).buffer)[0],
    ]);
  });

  it('narrows I64 to int32 when every value fits, and says which value does not', () => {
    const fits = read('I64', [4], le.i64([-2147483648n, 2147483647n, 0n, -1n]));
    expect(fits.dtype).toBe('int32');
    expect(values(fits)).toEqual([-2147483648, 2147483647, 0, -1]);
    const body = le.i64([1n, 2n, 3000000000n]);
    const error = parseError(rawFile({ ids: { dtype: 'I64', shape: [3], data_offsets: [0, 24] } }, body));
    expect(error.message).toBe(
      "safetensors: tensor 'ids' (I64) holds 3000000000 at flat index 2, outside int32's range [-2147483648, 2147483647]",
    );
    const low = parseError(
      rawFile({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, le.i64([-(2n ** 40n)])),
    );
    expect(low.message).toContain(`holds ${-(2n ** 40n)} at flat index 0`);
  });

  it('reads I16, I8 and U8 as int32 and BOOL as bool (any non-zero byte is true)', () => {
    expect(values(read('I16', [3], le.i16([-32768, 32767, -2])))).toEqual([-32768, 32767, -2]);
    expect(values(read('I8', [3], new Uint8Array([0x80, 0x7f, 0xff])))).toEqual([-128, 127, -1]);
    const u8 = read('U8', [3], new Uint8Array([0, 255, 128]));
    expect(u8.dtype).toBe('int32');
    expect(values(u8)).toEqual([0, 255, 128]);
    const bool = read('BOOL', [4], new Uint8Array([0, 1, 2, 255]));
    expect(bool.dtype).toBe('bool');
    expect(values(bool)).toEqual([0, 1, 1, 1]);
  });

  it('reads tensors at unaligned offsets (odd header length, odd data offsets)', () => {
    // One U8 byte first puts every following tensor at an odd address; the header is 8k+3 bytes long.
    const parts: [string, string, number[], Uint8Array][] = [
      ['u8', 'U8', [1], new Uint8Array([9])],
      ['f32', 'F32', [2], le.f32([1.5, -3])],
      ['f64', 'F64', [1], le.f64([0.1])],
      ['i32', 'I32', [1], le.i32([-5])],
      ['f16', 'F16', [1], le.u16([0x3c00])],
      ['i64', 'I64', [1], le.i64([-7n])],
    ];
    const header: Record<string, object> = {};
    let offset = 0;
    for (const [name, dtype, shape, bytes] of parts) {
      header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
      offset += bytes.length;
    }
    let text = JSON.stringify(header);
    while (text.length % 8 !== 3) text += ' ';
    const body = new Uint8Array(offset);
    let at = 0;
    for (const [, , , bytes] of parts) {
      body.set(bytes, at);
      at += bytes.length;
    }
    const { tensors } = parseSafetensors(rawFile(text, body));
    expect(values(tensors.f32)).toEqual([1.5, -3]);
    expect(values(tensors.f64)).toEqual([0.1]);
    expect(values(tensors.i32)).toEqual([-5]);
    expect(values(tensors.f16)).toEqual([1]);
    expect(values(tensors.i64)).toEqual([-7]);
    expect(values(tensors.u8)).toEqual([9]);
  });
});

// ---- Validation of untrusted input -------------------------------------------------------------------------

describe('validation', () => {
  const f32x15 = new Uint8Array(60);
  const entry = (dtype: unknown, shape: unknown, offsets: unknown) => ({
    dtype,
    shape,
    data_offsets: offsets,
  });
  const invalidUtf8 = new Uint8Array([...ascii('{"'), 0xff, 0xfe, ...ascii('":1}')]);
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...ascii('{}')]);
  const headerOf = (bytes: Uint8Array) => {
    const out = new Uint8Array(8 + bytes.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
    out.set(bytes, 8);
    return out;
  };

  const cases: [string, Uint8Array, string | RegExp][] = [
    [
      'an empty file',
      new Uint8Array(0),
      'safetensors: file is 0 bytes, too short for the 8-byte header length',
    ],
    ['7 bytes', new Uint8Array(7), 'safetensors: file is 7 bytes, too short for the 8-byte header length'],
    [
      'a header length over the limit',
      rawFile('{}', [], { length: 2n ** 40n }),
      'safetensors: header length 1099511627776 exceeds the limit of 100000000 bytes',
    ],
    [
      'a header length of 2^64 - 1',
      rawFile('{}', [], { length: 2n ** 64n - 1n }),
      'safetensors: header length 18446744073709551615 exceeds the limit of 100000000 bytes',
    ],
    [
      'a header length past the end of the file',
      rawFile('{}', [], { length: 3n }),
      'safetensors: header length 3 exceeds the 2 bytes after the length field',
    ],
    ['invalid UTF-8', headerOf(invalidUtf8), 'safetensors: header is not valid UTF-8'],
    ['a byte-order mark', headerOf(withBom), /^safetensors: header is not valid JSON/],
    ['broken JSON', rawFile('{"a": {'), /^safetensors: header is not valid JSON \(.+\)$/],
    ['an empty header', rawFile(''), /^safetensors: header is not valid JSON/],
    [
      'nesting 129 levels deep',
      rawFile(`{"a":{"x":${'['.repeat(127)}${']'.repeat(127)}}}`),
      'safetensors: header nests deeper than 128 levels',
    ],
    [
      'nesting a million levels deep',
      rawFile(`{"a":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`),
      'safetensors: header nests deeper than 128 levels',
    ],
    ['a JSON array', rawFile('[1, 2]'), 'safetensors: header must be a JSON object (got an array)'],
    ['JSON null', rawFile('null'), 'safetensors: header must be a JSON object (got null)'],
    ['a repeated tensor name', rawFile('{"a":{},"b":{},"a":{}}'), "safetensors: header lists 'a' twice"],
    [
      'a repeated name, spelled differently',
      rawFile('{"a":{},"\\u0061":{}}'),
      "safetensors: header lists 'a' twice",
    ],
    [
      'a repeated field in an entry',
      rawFile('{"w":{"dtype":"F32","shape":[1],"dtype":"F64","data_offsets":[0,4]}}', new Uint8Array(4)),
      "safetensors: header repeats the key 'dtype' inside 'w'",
    ],
    [
      'a repeated metadata key',
      rawFile('{"__metadata__":{"k":"1","k":"2"}}'),
      "safetensors: header repeats the key 'k' inside '__metadata__'",
    ],
    [
      'a repeated __metadata__',
      rawFile('{"__metadata__":{},"__metadata__":{}}'),
      "safetensors: header lists '__metadata__' twice",
    ],
    [
      'an entry that is not an object',
      rawFile({ w: [0, 4] }),
      "safetensors: tensor 'w' must be an object with dtype, shape and data_offsets (got an array)",
    ],
    [
      'an unsupported dtype',
      rawFile({ w: entry('F8_E4M3', [4], [0, 4]) }, new Uint8Array(4)),
      "safetensors: tensor 'w' has unsupported dtype 'F8_E4M3' (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)",
    ],
    [
      'a lowercase dtype',
      rawFile({ w: entry('f32', [1], [0, 4]) }, new Uint8Array(4)),
      /unsupported dtype 'f32'/,
    ],
    [
      'a missing dtype',
      rawFile({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /unsupported dtype undefined/,
    ],
    [
      'a dtype that is a number',
      rawFile({ w: entry(4, [1], [0, 4]) }, new Uint8Array(4)),
      /unsupported dtype 4/,
    ],
    [
      'a negative dim',
      rawFile({ w: entry('F32', [2, -1], [0, 0]) }),
      "safetensors: tensor 'w' shape must be a list of non-negative integers (got [2,-1])",
    ],
    [
      'a fractional dim',
      rawFile({ w: entry('F32', [1.5], [0, 6]) }, new Uint8Array(6)),
      /shape must be .* \(got \[1\.5\]\)/,
    ],
    [
      'a dim given as a string',
      rawFile({ w: entry('F32', ['2'], [0, 8]) }, new Uint8Array(8)),
      /got \['2'\]/,
    ],
    ['a shape that is not a list', rawFile({ w: entry('F32', 4, [0, 16]) }, new Uint8Array(16)), /got 4\)$/],
    [
      'a dim beyond 2^53',
      rawFile('{"w":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /got \[1e\+300\]/,
    ],
    [
      'a shape with more than 2^53 elements',
      rawFile({ w: entry('U8', [2 ** 30, 2 ** 30, 2 ** 30, 0], [0, 0]) }),
      "safetensors: tensor 'w' shape [1073741824,1073741824,1073741824,0] has more than 2^53 elements",
    ],
    [
      'offsets that are not a pair',
      rawFile({ w: entry('F32', [1], [0, 4, 8]) }, new Uint8Array(4)),
      "safetensors: tensor 'w' data_offsets must be [begin, end] with non-negative integers (got [0,4,8])",
    ],
    [
      'a negative offset',
      rawFile({ w: entry('F32', [1], [-4, 0]) }),
      /data_offsets must be .* \(got \[-4,0\]\)/,
    ],
    [
      'missing offsets',
      rawFile({ w: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)),
      /data_offsets must be .* \(got undefined\)/,
    ],
    [
      'offsets that end before they begin',
      rawFile({ w: entry('F32', [0], [4, 0]) }, new Uint8Array(4)),
      "safetensors: tensor 'w' data_offsets [4, 0] end before they begin",
    ],
    [
      'offsets past the end of the data',
      rawFile({ w: entry('F32', [3], [0, 12]) }, new Uint8Array(8)),
      "safetensors: tensor 'w' data_offsets [0, 12] exceed the 8-byte data buffer",
    ],
    [
      'offsets far past the end of the data',
      rawFile({ w: entry('F32', [2 ** 50], [0, 2 ** 52]) }),
      "safetensors: tensor 'w' data_offsets [0, 4503599627370496] exceed the 0-byte data buffer",
    ],
    [
      'offsets that do not match shape × dtype',
      rawFile({ 'encoder.weight': entry('F32', [3, 5], [0, 48]) }, f32x15.subarray(0, 48)),
      "safetensors: tensor 'encoder.weight' data_offsets [0, 48] do not match shape [3,5] × F32 = 60 bytes",
    ],
    [
      'overlapping tensors',
      rawFile({ a: entry('F32', [4], [0, 16]), b: entry('F32', [4], [8, 24]) }, new Uint8Array(24)),
      "safetensors: tensors 'a' [0, 16] and 'b' [8, 24] overlap",
    ],
    [
      'two tensors on the same bytes',
      rawFile({ a: entry('F32', [2], [0, 8]), b: entry('I32', [2], [0, 8]) }, new Uint8Array(8)),
      "safetensors: tensors 'a' [0, 8] and 'b' [0, 8] overlap",
    ],
    [
      'a hole between tensors',
      rawFile({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, new Uint8Array(12)),
      "safetensors: bytes [4, 8) of the data buffer belong to no tensor (before 'b')",
    ],
    [
      'a hole at the start',
      rawFile({ b: entry('F32', [1], [4, 8]) }, new Uint8Array(8)),
      "safetensors: bytes [0, 4) of the data buffer belong to no tensor (before 'b')",
    ],
    [
      'trailing bytes after the last tensor',
      rawFile({ a: entry('F32', [1], [0, 4]) }, new Uint8Array(7)),
      'safetensors: bytes [4, 7) at the end of the data buffer belong to no tensor',
    ],
    [
      'data but no tensors',
      rawFile({}, new Uint8Array(3)),
      'safetensors: bytes [0, 3) at the end of the data buffer belong to no tensor',
    ],
    [
      'a metadata value that is not a string',
      rawFile({ __metadata__: { epoch: 3 } }),
      "safetensors: __metadata__ must map strings to strings ('epoch' holds a number)",
    ],
    [
      'metadata that is a list',
      rawFile({ __metadata__: ['a'] }),
      'safetensors: __metadata__ must map strings to strings (got an array)',
    ],
    [
      'a long, escaped name (shortened in the message)',
      rawFile({ [`x\n${'y'.repeat(200)}`]: entry('F32', [1], [0, 3]) }, new Uint8Array(3)),
      new RegExp(`^safetensors: tensor 'x\\\\n${'y'.repeat(78)}…' data_offsets \\[0, 3\\] do not match`),
    ],
  ];

  it.each(cases)('rejects %s', (_label, bytes, message) => {
    const error = parseError(bytes);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('rejects input that is not bytes', () => {
    for (const input of ['{}', null, undefined, 42, [1, 2, 3], {}]) {
      expect(() => parseSafetensors(input as unknown as Uint8Array)).toThrow(SafetensorsError);
    }
    expect(() => parseSafetensors('{}' as unknown as Uint8Array)).toThrow(
      'safetensors: expected an ArrayBuffer or a Uint8Array (got a string)',
    );
  });

  it('accepts what the reference accepts: null metadata, extra fields, padding, empty tensors anywhere', () => {
    const deep = `${'['.repeat(125)}"[{\\""${']'.repeat(125)}`; // 128 levels in all; brackets in strings do not count
    const file = rawFile(
      `{"__metadata__":null,"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4],"extra":{"x":${deep}}},` +
        `"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}   \n\t `,
      le.f32([2.5]),
    );
    const { tensors, metadata } = parseSafetensors(file);
    expect(metadata).toEqual({});
    expect(Object.keys(tensors)).toEqual(['a', 'e']); // offset order
    expect(tensors.a.item()).toBe(2.5);
    expect(tensors.e.shape).toEqual([0]);
  });
});

describe('serializer errors', () => {
  it('rejects values that are not tensors, the reserved name and non-string metadata', () => {
    const t = tensor([1]);
    expect(() => serializeSafetensors({ w: [1, 2] as unknown as Tensor })).toThrow(
      "safetensors: 'w' must be a Tensor (got an array)",
    );
    expect(() => serializeSafetensors({ __metadata__: t })).toThrow(
      "safetensors: the name '__metadata__' is reserved for metadata and cannot name a tensor",
    );
    expect(() => serializeSafetensors({ w: t }, { epoch: 3 as unknown as string })).toThrow(
      "safetensors: __metadata__ values must be strings ('epoch' holds a number)",
    );
    expect(() => serializeSafetensors(new Map([['w', t]]) as unknown as Record<string, Tensor>)).toThrow(
      'safetensors: the state dict must be a plain object of tensors (got a Map)',
    );
  });

  it('rejects names and metadata that UTF-8 cannot carry (lone surrogates)', () => {
    expect(() => serializeSafetensors({ 'w\ud800': tensor([1]) })).toThrow(
      /contains a lone UTF-16 surrogate/,
    );
    expect(() => serializeSafetensors({}, { k: 'v\udfff' })).toThrow(/contains a lone UTF-16 surrogate/);
    expect(() => serializeSafetensors({ 'ok 😀': tensor([1]) })).not.toThrow();
  });

  it('writes hand-made bool storage as 0/1 bytes', () => {
    const bytes = serializeSafetensors({ b: new Tensor(new Uint8Array([0, 2, 255]), [3]) });
    expect(Array.from(bytes.subarray(bytes.length - 3))).toEqual([0, 1, 1]);
  });
});

// ---- Portability ------------------------------------------------------------------------------------------------

describe('portability', () => {
  const dir = fileURLToPath(new URL('../src/safetensors', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('src/safetensors/%s uses no Node-only API', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const pattern of [/from ['"]node:/, /\brequire\(/, /\bprocess\./, /\bBuffer\b/, /__dirname/]) {
      expect(text).not.toMatch(pattern);
    }
  });
});
