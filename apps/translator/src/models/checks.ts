/** @file Validation of the model configs: each failure is a RangeError naming the model kind, the field and the value. */

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(op: string, name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${op}: ${name} must be an integer ≥ ${min} (got ${String(value)})`);
  }
}

/** Throws unless `value` is a number in [0, 1] (or [0, 1) with `open`). */
export function checkProbability(op: string, name: string, value: unknown, open = false): void {
  const inRange = typeof value === 'number' && value >= 0 && (open ? value < 1 : value <= 1);
  if (!inRange) {
    throw new RangeError(
      `${op}: ${name} must be a number in [0, 1${open ? ')' : ']'} (got ${String(value)})`,
    );
  }
}

/** Throws unless `value` is one of `options`. */
export function checkOneOf<T extends string>(
  op: string,
  name: string,
  value: unknown,
  options: readonly T[],
): asserts value is T {
  if (!options.includes(value as T)) {
    const list = options.map((o) => `'${o}'`).join(', ');
    throw new RangeError(`${op}: ${name} must be one of ${list} (got ${JSON.stringify(value)})`);
  }
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(op: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean')
    throw new RangeError(`${op}: ${name} must be a boolean (got ${String(value)})`);
}

/** The vocabulary sizes (≥ 4: the special tokens) and a padding id inside both. */
export function checkVocabularies(
  op: string,
  config: { srcVocabSize: number; tgtVocabSize: number },
  padIndex: number,
): void {
  checkInteger(op, 'srcVocabSize', config.srcVocabSize, 1);
  checkInteger(op, 'tgtVocabSize', config.tgtVocabSize, 1);
  checkInteger(op, 'padIndex', padIndex, 0);
  const smaller = Math.min(config.srcVocabSize, config.tgtVocabSize);
  if (padIndex >= smaller) {
    throw new RangeError(
      `${op}: padIndex must be a valid id of both vocabularies (< ${smaller}, got ${padIndex})`,
    );
  }
}

/** Throws on a field the config does not have (a typo in a config.json would otherwise be ignored silently). */
export function checkKnownFields(op: string, config: object, fields: readonly string[]): void {
  const unknown = Object.keys(config).filter((key) => !fields.includes(key));
  if (unknown.length > 0) {
    throw new RangeError(
      `${op}: unknown config field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${fields.join(', ')})`,
    );
  }
}

/** Throws unless the config's `kind`, when given, is this model's. */
export function checkConfigKind(op: string, config: { kind?: unknown }, kind: string): void {
  if (config.kind !== undefined && config.kind !== kind) {
    throw new RangeError(`${op}: config.kind must be '${kind}' here (got ${JSON.stringify(config.kind)})`);
  }
}
