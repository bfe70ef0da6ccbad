/**
 * @file The model registry: from a configuration (a config.json, say) to a model, by `kind`.
 */
import { AttentionTranslator, resolveAttentionConfig } from './attention.js';
import type { ModelConfig, ResolvedModelConfig } from './config.js';
import { LstmTranslator, resolveLstmConfig } from './lstm.js';
import { resolveTransformerConfig, TransformerTranslator } from './transformer.js';
import type { ModelKind, TranslatorModel } from './translator-model.js';

const kinds: readonly ModelKind[] = ['lstm', 'attention', 'transformer'];

function checkKind(config: unknown): asserts config is ModelConfig {
  const kind = (config as { kind?: unknown } | null)?.kind;
  if (!kinds.includes(kind as ModelKind)) {
    throw new RangeError(
      `buildModel: config.kind must be 'lstm', 'attention' or 'transformer' (got ${JSON.stringify(kind)})`,
    );
  }
}

/** The config with its kind's defaults filled in, validated; throws a RangeError naming the bad field. */
export function resolveModelConfig(config: ModelConfig): ResolvedModelConfig {
  checkKind(config);
  switch (config.kind) {
    case 'lstm':
      return resolveLstmConfig(config);
    case 'attention':
      return resolveAttentionConfig(config);
    case 'transformer':
      return resolveTransformerConfig(config);
  }
}

/**
 * A new model (fresh parameters, drawn from the global random stream) of the config's kind.
 * @example
 * const model = buildModel({ kind: 'transformer', srcVocabSize: 120, tgtVocabSize: 150, dModel: 128 });
 * model.config; // every default filled in: save it as config.json, rebuild with buildModel(config)
 */
export function buildModel(config: ModelConfig): TranslatorModel {
  checkKind(config);
  switch (config.kind) {
    case 'lstm':
      return new LstmTranslator(config);
    case 'attention':
      return new AttentionTranslator(config);
    case 'transformer':
      return new TransformerTranslator(config);
  }
}
