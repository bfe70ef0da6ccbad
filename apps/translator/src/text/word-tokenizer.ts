/** @file Word-level tokens: normalise, split punctuation off words, split at spaces. */
import { type NormalizeOptions, normalizeText } from '../data/normalize.js';

export interface WordTokenizerJson {
  type: 'word';
  version: 1;
  lowercase: boolean;
  splitPunctuation: boolean;
}

// No space before closing marks, none after opening ones, when words are joined back into text.
const noSpaceBefore = /\s+([.,!?;:%)\]}»…])/g;
const noSpaceAfter = /([([{«¿¡])\s+/g;

/**
 * Words and punctuation marks as tokens.
 * @example new WordTokenizer({ lowercase: true }).encode('The cat, asleep.') // ['the', 'cat', ',', 'asleep', '.']
 */
export class WordTokenizer {
  readonly lowercase: boolean;
  readonly splitPunctuation: boolean;

  /** Defaults: case kept, punctuation split off. */
  constructor(options: NormalizeOptions = {}) {
    this.lowercase = options.lowercase ?? false;
    this.splitPunctuation = options.splitPunctuation ?? true;
  }

  encode(text: string): string[] {
    const normalized = normalizeText(text, this);
    return normalized === '' ? [] : normalized.split(' ');
  }

  /** Tokens back to text: spaces between words, none before closing punctuation ("cat , asleep ." → "cat, asleep."). */
  decode(tokens: readonly string[]): string {
    return tokens.join(' ').replace(noSpaceBefore, '$1').replace(noSpaceAfter, '$1');
  }

  toJSON(): WordTokenizerJson {
    return { type: 'word', version: 1, lowercase: this.lowercase, splitPunctuation: this.splitPunctuation };
  }

  static fromJSON(json: WordTokenizerJson): WordTokenizer {
    if (json?.type !== 'word' || json.version !== 1) {
      throw new Error(
        `WordTokenizer.fromJSON: expected { type: 'word', version: 1 } (got ${describe(json)})`,
      );
    }
    return new WordTokenizer(json);
  }
}

function describe(json: unknown): string {
  if (typeof json !== 'object' || json === null) return String(json);
  const { type, version } = json as { type?: unknown; version?: unknown };
  return `type ${JSON.stringify(type)}, version ${JSON.stringify(version)}`;
}
