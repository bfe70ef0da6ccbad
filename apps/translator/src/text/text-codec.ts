/**
 * @file One language side's text ↔ ids: a tokenizer (words or BPE subwords) and its vocabulary, built from
 * training text, saved with the model as JSON (tokenizer.json holds the source and target sides).
 */
import { type BpeJson, BpeTokenizer } from './bpe.js';
import { Vocab, type VocabJson } from './vocab.js';
import { WordTokenizer, type WordTokenizerJson } from './word-tokenizer.js';

export interface TokenizerSettings {
  /** 'word' (default) or 'bpe' subwords. */
  kind?: 'word' | 'bpe';
  lowercase?: boolean;
  /** BPE: symbols learned (default 8000). */
  bpeVocabSize?: number;
  /** Word vocabularies: keep tokens seen at least this often (default 1); rarer ones become <unk>. */
  minFrequency?: number;
  /** At most this many vocabulary entries, specials included (default: no limit). */
  maxVocabSize?: number;
}

export interface TextCodecJson {
  tokenizer: WordTokenizerJson | BpeJson;
  vocab: VocabJson;
}

/** What tokenizer.json holds. */
export interface TokenizerPairJson {
  type: 'tensorloom-translator-tokenizers';
  version: 1;
  src: TextCodecJson;
  tgt: TextCodecJson;
}

type Tokenizer = WordTokenizer | BpeTokenizer;

/**
 * @example
 * const fr = TextCodec.build(frenchTrainingLines, { kind: 'bpe', bpeVocabSize: 4000 });
 * fr.decode(fr.encode('Il fait beau.')); // 'Il fait beau.'
 */
export class TextCodec {
  constructor(
    readonly tokenizer: Tokenizer,
    readonly vocab: Vocab,
  ) {}

  static build(texts: readonly string[], settings: TokenizerSettings = {}): TextCodec {
    const {
      kind = 'word',
      lowercase = false,
      bpeVocabSize = 8000,
      minFrequency = 1,
      maxVocabSize,
    } = settings;
    const tokenizer: Tokenizer =
      kind === 'bpe'
        ? BpeTokenizer.train(texts, { vocabSize: bpeVocabSize, lowercase, splitPunctuation: true })
        : new WordTokenizer({ lowercase, splitPunctuation: true });
    const vocab = Vocab.build(
      texts.map((text) => tokenizer.encode(text)),
      { minFrequency, maxSize: maxVocabSize },
    );
    return new TextCodec(tokenizer, vocab);
  }

  /** Text → tokens (what the model's attention rows and columns are labelled with). */
  tokens(text: string): string[] {
    return this.tokenizer.encode(text);
  }

  /** Text → ids, without <sos>/<eos>. */
  encode(text: string): number[] {
    return this.vocab.encode(this.tokens(text));
  }

  /** Ids → tokens, stopping at <eos> and leaving out the special tokens but <unk>. */
  decodeTokens(ids: readonly number[]): string[] {
    return this.vocab.decode(ids);
  }

  /** Ids → text, detokenized. */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode(this.decodeTokens(ids));
  }

  toJSON(): TextCodecJson {
    return { tokenizer: this.tokenizer.toJSON(), vocab: this.vocab.toJSON() };
  }

  static fromJSON(json: TextCodecJson): TextCodec {
    const kind = json?.tokenizer?.type;
    const tokenizer =
      kind === 'bpe'
        ? BpeTokenizer.fromJSON(json.tokenizer as BpeJson)
        : WordTokenizer.fromJSON(json?.tokenizer as WordTokenizerJson);
    return new TextCodec(tokenizer, Vocab.fromJSON(json.vocab));
  }
}

export function tokenizersToJson(src: TextCodec, tgt: TextCodec): TokenizerPairJson {
  return { type: 'tensorloom-translator-tokenizers', version: 1, src: src.toJSON(), tgt: tgt.toJSON() };
}

export function tokenizersFromJson(json: TokenizerPairJson): { src: TextCodec; tgt: TextCodec } {
  if (json?.type !== 'tensorloom-translator-tokenizers' || json.version !== 1) {
    throw new Error("tokenizersFromJson: expected { type: 'tensorloom-translator-tokenizers', version: 1 }");
  }
  return { src: TextCodec.fromJSON(json.src), tgt: TextCodec.fromJSON(json.tgt) };
}
