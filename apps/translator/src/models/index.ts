/** @file The translator models: their configurations, the registry that builds them, and the interface they share. */

export {
  type AttentionModelConfig,
  AttentionTranslator,
  attentionTranslator,
  resolveAttentionConfig,
} from './attention.js';
export { buildModel, resolveModelConfig } from './build.js';
export type {
  AttentionConfig,
  AttentionScore,
  LstmConfig,
  ModelConfig,
  Resolved,
  ResolvedModelConfig,
  TransformerConfig,
} from './config.js';
export { LstmTranslator, lstmTranslator, resolveLstmConfig } from './lstm.js';
export { RecurrentTranslator } from './recurrent.js';
export { resolveTransformerConfig, TransformerTranslator } from './transformer.js';
export type {
  DecodingState,
  ModelKind,
  SourceBatch,
  StepOutput,
  TeacherForcedBatch,
  TeacherForcedOutput,
  TranslatorModel,
} from './translator-model.js';
