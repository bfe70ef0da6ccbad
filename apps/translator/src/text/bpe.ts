/**
 * @file A trainable byte-pair-encoding subword tokenizer. Text is normalised, split at spaces into words,
 * and each word is cut into subwords by replaying the learned merges; the last subword of a word ends in
 * `</w>`, which is how decoding puts the spaces back. Serialises to JSON, to be saved with a model.
 */
import { type NormalizeOptions, normalizeText } from '../data/normalize.js';
import { endOfWord, learnMerges, wordSymbols } from './bpe-train.js';

export interface BpeOptions extends NormalizeOptions {
  /** Symbols in the vocabulary: the alphabet (characters, alone and word-final) plus merged symbols. */
  vocabSize: number;
  /** Stop merging when the most frequent pair occurs fewer times (default 2). */
  minFrequency?: number;
}

export interface BpeJson {
  type: 'bpe';
  version: 1;
  endOfWord: typeof endOfWord;
  lowercase: boolean;
  splitPunctuation: boolean;
  alphabet: string[];
  merges: [string, string][];
}

/** Words encoded so far; cleared when it reaches this size, to bound memory. */
const maxCachedWords = 100_000;

/**
 * @example
 * const bpe = BpeTokenizer.train(['low lower lowest', 'new newer'], { vocabSize: 40 });
 * bpe.encode('lowest'); // ['low', 'est</w>'] (say)
 * bpe.decode(bpe.encode('lower newest')); // 'lower newest'
 */
export class BpeTokenizer {
  readonly lowercase: boolean;
  readonly splitPunctuation: boolean;
  readonly alphabet: readonly string[];
  readonly merges: readonly (readonly [string, string])[];
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();

  private constructor(json: Omit<BpeJson, 'type' | 'version' | 'endOfWord'>) {
    this.lowercase = json.lowercase;
    this.splitPunctuation = json.splitPunctuation;
    this.alphabet = json.alphabet;
    this.merges = json.merges;
    json.merges.forEach(([a, b], rank) => {
      this.ranks.set(pairKey(a, b), rank);
    });
  }

  /** Learns merges from a corpus; punctuation is split off words by default, case is kept. */
  static train(texts: Iterable<string>, options: BpeOptions): BpeTokenizer {
    const { vocabSize, minFrequency = 2 } = options;
    if (!Number.isInteger(vocabSize) || vocabSize < 1) {
      throw new RangeError(`BpeTokenizer.train: vocabSize must be a positive integer (got ${vocabSize})`);
    }
    const normalize = {
      lowercase: options.lowercase ?? false,
      splitPunctuation: options.splitPunctuation ?? true,
    };
    const wordCounts = new Map<string, number>();
    for (const text of texts) {
      for (const word of words(normalizeText(text, normalize))) {
        wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
      }
    }
    const { alphabet, merges } = learnMerges(wordCounts, vocabSize, minFrequency);
    return new BpeTokenizer({ ...normalize, alphabet, merges });
  }

  static fromJSON(json: BpeJson): BpeTokenizer {
    if (json?.type !== 'bpe' || json.version !== 1 || json.endOfWord !== endOfWord) {
      throw new Error(
        `BpeTokenizer.fromJSON: expected { type: 'bpe', version: 1, endOfWord: '${endOfWord}' }`,
      );
    }
    return new BpeTokenizer(json);
  }

  toJSON(): BpeJson {
    return {
      type: 'bpe',
      version: 1,
      endOfWord,
      lowercase: this.lowercase,
      splitPunctuation: this.splitPunctuation,
      alphabet: [...this.alphabet],
      merges: this.merges.map(([a, b]) => [a, b]),
    };
  }

  /** Every symbol encode can produce from known characters: the alphabet, then merged symbols in merge order. */
  vocabulary(): string[] {
    const seen = new Set(this.alphabet);
    const out = [...this.alphabet];
    for (const [a, b] of this.merges) {
      if (!seen.has(a + b)) out.push(a + b);
      seen.add(a + b);
    }
    return out;
  }

  encode(text: string): string[] {
    return words(normalizeText(text, this)).flatMap((word) => this.encodeWord(word));
  }

  /** Subwords back to text: a `</w>` ending closes a word. */
  decode(tokens: readonly string[]): string {
    let out = '';
    for (const token of tokens) {
      out += token.endsWith(endOfWord) ? `${token.slice(0, -endOfWord.length)} ` : token;
    }
    return out.endsWith(' ') ? out.slice(0, -1) : out;
  }

  /** One word (no spaces) as subwords: apply the lowest-ranked applicable merge until none applies. */
  encodeWord(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return [...cached];
    let symbols = wordSymbols(word);
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(pairKey(symbols[i], symbols[i + 1]));
        if (rank !== undefined && rank < bestRank) bestRank = rank;
      }
      if (bestRank === Number.POSITIVE_INFINITY) break;
      const [a, b] = this.merges[bestRank];
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else {
          merged.push(symbols[i]);
        }
      }
      symbols = merged;
    }
    if (this.cache.size >= maxCachedWords) this.cache.clear();
    this.cache.set(word, symbols);
    return [...symbols];
  }
}

function words(normalized: string): string[] {
  return normalized === '' ? [] : normalized.split(' ');
}

// Symbols never contain a space (words are split at spaces), so a space separates the two halves.
function pairKey(a: string, b: string): string {
  return `${a} ${b}`;
}
