/**
 * Fuzzing the safetensors reader with fast-check: truncated files, flipped bytes, mutated headers and arbitrary
 * bytes must each give either a complete, well-formed result or a SafetensorsError: never another exception,
 * never a hang. Fixed seed, so the suite is deterministic; FUZZ_SEED / FUZZ_RUNS override it for exploration.
 */

import { parseSafetensors, SafetensorsError, serializeSafetensors } from '@tensorloom/nn';
import { type Tensor, tensor } from '@tensorloom/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const params = (numRuns: number) => ({ seed: SEED, numRuns });

// ---- Generators -----------------------------------------------------------------------------------------------

type Written = 'float32' | 'float64' | 'int32' | 'bool';

const nameArb = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.constantFrom('__proto__', ''),
  )
  .filter((name) => name !== '__metadata__');

const tensorArb: fc.Arbitrary<Tensor> = fc
  .record({
    dtype: fc.constantFrom<Written>('float32', 'float64', 'int32', 'bool'),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values: fc.Arbitrary<(number | boolean)[]> =
      dtype === 'bool'
        ? fc.array(fc.boolean(), { minLength: n, maxLength: n })
        : dtype === 'int32'
          ? fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n })
          : fc.array(fc.double(), { minLength: n, maxLength: n });
    return values.map((data) => tensor(data, { dtype, shape }));
  });

const stateDictArb = fc.dictionary(nameArb, tensorArb, { maxKeys: 5 });
const metadataArb = fc.option(
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  {
    nil: undefined,
  },
);
const fileArb = fc
  .tuple(stateDictArb, metadataArb)
  .map(([stateDict, metadata]) => serializeSafetensors(stateDict, metadata));

// ---- The property every input must satisfy ------------------------------------------------------------------

const itemsize: Record<string, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Parses; a result must be complete and well-formed, and the only acceptable exception is a SafetensorsError. */
function outcome(bytes: Uint8Array): 'ok' | 'error' {
  let result: ReturnType<typeof parseSafetensors>;
  try {
    result = parseSafetensors(bytes);
  } catch (error) {
    if (error instanceof SafetensorsError && error.message.startsWith('safetensors: ')) return 'error';
    throw error;
  }
  for (const t of Object.values(result.tensors)) {
    expect(itemsize[t.dtype]).toBeDefined();
    expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
  }
  for (const value of Object.values(result.metadata)) expect(typeof value).toBe('string');
  return 'ok';
}

function headerLength(file: Uint8Array): number {
  return Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
}

function withHeader(text: string, body: Uint8Array, length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

// ---- Header mutations ---------------------------------------------------------------------------------------

const dtypeArb = fc.oneof(
  fc.constantFrom('F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'),
  fc.constantFrom('U16', 'U32', 'U64', 'F8_E4M3', 'f32', '', '__proto__', 'toString'),
  fc.jsonValue({ maxDepth: 1 }),
);
const dimArb = fc.oneof(
  fc.integer({ min: -3, max: 8 }),
  fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 1e300, -0, 0.5),
  fc.double(),
  fc.jsonValue({ maxDepth: 0 }),
);
const offsetArb = fc.oneof(
  fc.integer({ min: -2, max: 300 }),
  fc.constantFrom(2 ** 32, 2 ** 53, 1e300, 1.5, -1),
);
const shapeArb = fc.oneof(fc.array(dimArb, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }));
const offsetsArb = fc.oneof(
  fc.tuple(offsetArb, offsetArb),
  fc.array(offsetArb, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 1 }),
);

type Mutation =
  | { kind: 'dtype'; at: number; value: unknown }
  | { kind: 'shape'; at: number; value: unknown }
  | { kind: 'offsets'; at: number; value: unknown }
  | { kind: 'drop-field'; at: number; field: string }
  | { kind: 'replace-entry'; at: number; value: unknown }
  | { kind: 'add-entry'; name: string; value: unknown }
  | { kind: 'swap-offsets'; at: number; other: number }
  | { kind: 'shift-offsets'; at: number; by: number }
  | { kind: 'metadata'; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('dtype' as const), at: fc.nat(), value: dtypeArb }),
  fc.record({ kind: fc.constant('shape' as const), at: fc.nat(), value: shapeArb }),
  fc.record({ kind: fc.constant('offsets' as const), at: fc.nat(), value: offsetsArb }),
  fc.record({
    kind: fc.constant('drop-field' as const),
    at: fc.nat(),
    field: fc.constantFrom('dtype', 'shape', 'data_offsets'),
  }),
  fc.record({
    kind: fc.constant('replace-entry' as const),
    at: fc.nat(),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.record({
    kind: fc.constant('add-entry' as const),
    name: nameArb,
    value: fc.record({ dtype: dtypeArb, shape: shapeArb, data_offsets: offsetsArb }),
  }),
  fc.record({ kind: fc.constant('swap-offsets' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({
    kind: fc.constant('shift-offsets' as const),
    at: fc.nat(),
    by: fc.integer({ min: -16, max: 16 }),
  }),
  fc.record({
    kind: fc.constant('metadata' as const),
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 0 }))),
  }),
);

function mutate(header: Record<string, any>, mutations: Mutation[]): void {
  const names = () => Object.keys(header).filter((k) => k !== '__metadata__');
  const pick = (at: number) => {
    const list = names();
    return list.length === 0 ? null : list[at % list.length];
  };
  const entry = (at: number) => {
    const name = pick(at);
    const value = name === null ? null : header[name];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  };
  for (const m of mutations) {
    switch (m.kind) {
      case 'dtype':
      case 'shape':
      case 'offsets': {
        const e = entry(m.at);
        if (e) e[m.kind === 'offsets' ? 'data_offsets' : m.kind] = m.value;
        break;
      }
      case 'drop-field':
        delete entry(m.at)?.[m.field];
        break;
      case 'replace-entry': {
        const name = pick(m.at);
        if (name !== null) header[name] = m.value;
        break;
      }
      case 'add-entry':
        Object.defineProperty(header, m.name, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        break;
      case 'swap-offsets': {
        const a = entry(m.at);
        const b = entry(m.other);
        if (a && b) [a.data_offsets, b.data_offsets] = [b.data_offsets, a.data_offsets];
        break;
      }
      case 'shift-offsets': {
        // Same size, new place: overlaps, holes, out-of-range ends.
        const e = entry(m.at);
        if (e && Array.isArray(e.data_offsets)) e.data_offsets = e.data_offsets.map((x: number) => x + m.by);
        break;
      }
      case 'metadata':
        header.__metadata__ = m.value;
        break;
    }
  }
}

// ---- Properties -----------------------------------------------------------------------------------------------

describe('fuzz: parseSafetensors on hostile input', () => {
  it('round-trips random state dicts and metadata', () => {
    fc.assert(
      fc.property(stateDictArb, metadataArb, (stateDict, metadata) => {
        const { tensors, metadata: read } = parseSafetensors(serializeSafetensors(stateDict, metadata));
        expect(read).toEqual(metadata ?? {});
        expect(Object.keys(tensors).sort()).toEqual(Object.keys(stateDict).sort());
        for (const name of Object.keys(stateDict)) {
          const [a, b] = [Object.getOwnPropertyDescriptor(tensors, name)?.value as Tensor, stateDict[name]];
          expect([a.dtype, a.shape]).toEqual([b.dtype, b.shape]);
          expect(Array.from(a.dataSync(), Number)).toEqual(Array.from(b.dataSync(), Number));
        }
      }),
      params(RUNS / 2),
    );
  });

  it('rejects every truncation of a valid file', () => {
    fc.assert(
      fc.property(
        fileArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (file, fraction) => {
          const cut = Math.floor(fraction * file.length);
          expect(outcome(file.subarray(0, cut))).toBe('error');
        },
      ),
      params(RUNS),
    );
  });

  it('survives random byte flips in the header; flips in the body still parse', () => {
    const flipsArb = fc.array(
      fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.nat(255)),
      {
        minLength: 1,
        maxLength: 8,
      },
    );
    fc.assert(
      fc.property(fileArb, flipsArb, fc.boolean(), (file, flips, inHeader) => {
        const bytes = file.slice();
        const bodyStart = 8 + headerLength(file);
        const [from, to] = inHeader || bodyStart === file.length ? [0, bodyStart] : [bodyStart, file.length];
        for (const [where, value] of flips) bytes[from + Math.floor(where * (to - from))] = value;
        const result = outcome(bytes);
        if (from === bodyStart) expect(result).toBe('ok'); // any bytes are valid F32/F64/I32/BOOL data
      }),
      params(RUNS),
    );
  });

  it('survives header JSON mutations: wrong dtypes, bad shapes, bad and overlapping offsets, bad metadata', () => {
    fc.assert(
      fc.property(
        fileArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        // Now and then a wrong header length too: anything up to 2^64 - 1.
        fc.oneof(
          { weight: 9, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
        ),
        (file, mutations, length) => {
          const n = headerLength(file);
          const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
          mutate(header, mutations);
          const bytes = withHeader(JSON.stringify(header), file.subarray(8 + n), length);
          if (outcome(bytes) === 'ok') {
            const { tensors } = parseSafetensors(bytes);
            const names = Object.keys(header).filter((k) => k !== '__metadata__');
            expect(Object.keys(tensors).sort()).toEqual(names.sort()); // all of them, never a part
          }
        },
      ),
      params(2 * RUNS),
    );
  });

  it('survives repeated keys spliced into the header text', () => {
    fc.assert(
      fc.property(fileArb, fc.nat(), (file, at) => {
        const n = headerLength(file);
        const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
        const names = Object.keys(header);
        fc.pre(names.length > 0);
        const name = names[at % names.length];
        const copy = `${JSON.stringify(name)}:${JSON.stringify(header[name])}`;
        const text = `{${copy},${JSON.stringify(header).slice(1)}`;
        expect(outcome(withHeader(text, file.subarray(8 + n)))).toBe('error');
      }),
      params(RUNS / 4),
    );
  });

  it('survives arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        outcome(bytes);
      }),
      params(RUNS),
    );
  });

  it('survives arbitrary JSON behind a valid header length', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 32 }), (json, body) => {
        outcome(withHeader(json, body));
      }),
      params(RUNS),
    );
  });

  // Any UTF-16 code units. (fc.string({ unit: 'binary' }) would do, but builds a table of every code point first.)
  const utf16Arb = fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
    .map((units) => String.fromCharCode(...units));

  it('survives arbitrary text (lone surrogates, control characters) behind a valid header length', () => {
    fc.assert(
      fc.property(utf16Arb, fc.uint8Array({ maxLength: 8 }), (text, body) => {
        outcome(withHeader(text, body));
      }),
      params(RUNS / 2),
    );
  });
});
