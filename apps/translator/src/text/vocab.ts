/**
 * @file Token ↔ id tables. The four special tokens come first: `<pad>` = 0 (what nn's Embedding `paddingIdx`
 * and the losses' `ignoreIndex` expect), `<sos>` = 1, `<eos>` = 2, `<unk>` = 3; then tokens by falling frequency.
 */
import { compareStrings } from './bpe-train.js';

export const PAD = '<pad>';
export const SOS = '<sos>';
export const EOS = '<eos>';
export const UNK = '<unk>';
export const specialTokens = [PAD, SOS, EOS, UNK] as const;

export interface VocabOptions {
  /** Keep tokens seen at least this often (default 1). */
  minFrequency?: number;
  /** At most this many entries, the four special tokens included (default: no limit). */
  maxSize?: number;
}

export interface VocabJson {
  type: 'vocab';
  version: 1;
  /** Every token, at its id. */
  tokens: string[];
}

export interface DecodeOptions {
  /** Stop at the first `<eos>` (default true). */
  stopAtEos?: boolean;
  /** Leave out `<pad>`, `<sos>` and `<eos>` (default true); `<unk>` is kept, as it stands for a word. */
  skipSpecial?: boolean;
}

/**
 * @example
 * const vocab = Vocab.build([['the', 'cat'], ['the', 'dog']]);
 * vocab.encode(['the', 'bird']); // [4, 3]: 'the' is the most frequent token, 'bird' is unknown
 */
export class Vocab {
  static readonly padId = 0;
  static readonly sosId = 1;
  static readonly eosId = 2;
  static readonly unkId = 3;
  readonly padId = Vocab.padId;
  readonly sosId = Vocab.sosId;
  readonly eosId = Vocab.eosId;
  readonly unkId = Vocab.unkId;
  private readonly tokens: readonly string[];
  private readonly ids = new Map<string, number>();

  private constructor(tokens: readonly string[]) {
    specialTokens.forEach((special, id) => {
      if (tokens[id] !== special) {
        throw new Error(`Vocab: id ${id} must be ${special} (got ${JSON.stringify(tokens[id])})`);
      }
    });
    tokens.forEach((token, id) => {
      if (this.ids.has(token)) throw new Error(`Vocab: token ${JSON.stringify(token)} appears twice`);
      this.ids.set(token, id);
    });
    this.tokens = tokens;
  }

  /** Counts tokens and keeps the frequent ones; ties in frequency go to the token that sorts first. */
  static build(sentences: Iterable<readonly string[]>, options: VocabOptions = {}): Vocab {
    const { minFrequency = 1, maxSize = Number.POSITIVE_INFINITY } = options;
    if (maxSize < specialTokens.length) {
      throw new RangeError(`Vocab.build: maxSize must be at least ${specialTokens.length} (got ${maxSize})`);
    }
    const counts = new Map<string, number>();
    for (const sentence of sentences) {
      for (const token of sentence) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    const specials = new Set<string>(specialTokens);
    const kept = [...counts]
      .filter(([token, count]) => count >= minFrequency && !specials.has(token))
      .sort(([a, countA], [b, countB]) => countB - countA || compareStrings(a, b))
      .slice(0, maxSize - specialTokens.length)
      .map(([token]) => token);
    return new Vocab([...specialTokens, ...kept]);
  }

  static fromJSON(json: VocabJson): Vocab {
    if (json?.type !== 'vocab' || json.version !== 1 || !Array.isArray(json.tokens)) {
      throw new Error("Vocab.fromJSON: expected { type: 'vocab', version: 1, tokens: [...] }");
    }
    return new Vocab([...json.tokens]);
  }

  toJSON(): VocabJson {
    return { type: 'vocab', version: 1, tokens: [...this.tokens] };
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token, `<unk>`'s for an unknown one. */
  id(token: string): number {
    return this.ids.get(token) ?? Vocab.unkId;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  token(id: number): string {
    const token = this.tokens[id];
    if (!Number.isInteger(id) || token === undefined) {
      throw new RangeError(`Vocab.token: id must be an integer in [0, ${this.size}) (got ${id})`);
    }
    return token;
  }

  encode(tokens: readonly string[]): number[] {
    return tokens.map((token) => this.id(token));
  }

  decode(ids: Iterable<number>, options: DecodeOptions = {}): string[] {
    const { stopAtEos = true, skipSpecial = true } = options;
    const out: string[] = [];
    for (const id of ids) {
      if (stopAtEos && id === Vocab.eosId) break;
      if (skipSpecial && (id === Vocab.padId || id === Vocab.sosId || id === Vocab.eosId)) continue;
      out.push(this.token(id));
    }
    return out;
  }
}
