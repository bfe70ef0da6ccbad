/**
 * @file A trained translator as users see it: text in, text out, with the tokens and the attention weights
 * that a heatmap needs. Built from a checkpoint's three parts (config, tokenizers, safetensors weights), given
 * as values, so the same code runs in Node (read from disk) and in the browser (fetched).
 */
import { parseSafetensors } from '@tensorloom/nn';
import { type CheckpointConfig, checkCheckpointConfig } from './checkpoint/config.js';
import { buildModel } from './models/build.js';
import type { TranslatorModel } from './models/translator-model.js';
import { type TextCodec, type TokenizerPairJson, tokenizersFromJson } from './text/text-codec.js';
import { translate } from './train/decode.js';

export interface TranslatorParts {
  config: CheckpointConfig | unknown;
  tokenizers: TokenizerPairJson;
  /** model.safetensors. */
  weights: Uint8Array | ArrayBuffer;
}

export interface TranslateTextOptions {
  /** Beam width; 1 (default) is greedy decoding. */
  beamSize?: number;
  /** GNMT length-penalty exponent α for beam search (default 0.6). */
  lengthPenalty?: number;
  /** The most target tokens per sentence (default 2 × source tokens + 10). */
  maxLength?: number;
}

export interface TextTranslation {
  text: string;
  /** The source as the model saw it. */
  sourceTokens: string[];
  /** The produced target tokens, without <eos>. */
  targetTokens: string[];
  /**
   * Attention weights [targetTokens + 1 (the <eos> step), sourceTokens], or null for a model without attention.
   */
  attention: number[][] | null;
}

export class Translator {
  constructor(
    readonly model: TranslatorModel,
    readonly source: TextCodec,
    readonly target: TextCodec,
    readonly config: CheckpointConfig,
  ) {}

  static fromParts(parts: TranslatorParts, source = 'checkpoint'): Translator {
    const config = checkCheckpointConfig(parts.config, `${source}/config.json`);
    const { src, tgt } = tokenizersFromJson(parts.tokenizers);
    const model = buildModel(config.model);
    model.loadStateDict(parseSafetensors(parts.weights).tensors);
    model.eval();
    return new Translator(model, src, tgt, config);
  }

  /** Translates sentences (batched together); an empty sentence translates to an empty one. */
  translate(texts: readonly string[], options: TranslateTextOptions = {}): TextTranslation[] {
    const sources = texts.map((text) => this.source.tokens(text));
    const wanted = sources.flatMap((tokens, i) => (tokens.length > 0 ? [i] : []));
    const results = translate(
      this.model,
      wanted.map((i) => ({ src: this.source.vocab.encode(sources[i]) })),
      options,
    );
    const out: TextTranslation[] = texts.map((_, i) => ({
      text: '',
      sourceTokens: sources[i],
      targetTokens: [],
      attention: null,
    }));
    wanted.forEach((index, k) => {
      const { ids, attention } = results[k];
      const targetTokens = this.target.decodeTokens(ids);
      const rows = attention ? (attention.toArray() as number[][]) : null; // [n, S_batch]
      out[index] = {
        text: this.target.tokenizer.decode(targetTokens),
        sourceTokens: sources[index],
        targetTokens,
        attention: rows
          ? rows.slice(0, targetTokens.length + 1).map((row) => row.slice(0, sources[index].length))
          : null,
      };
    });
    return out;
  }
}
