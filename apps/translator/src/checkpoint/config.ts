/**
 * @file config.json of a translator checkpoint: the model's configuration (enough to rebuild it before loading
 * the weights), the language pair, and the training settings it was made with. Plain JSON, read in Node and in
 * the browser alike.
 */
import type { ModelConfig } from '../models/config.js';

export const checkpointFormat = 'tensorloom-translator';

export interface CheckpointConfig {
  format: typeof checkpointFormat;
  version: 1;
  model: ModelConfig;
  /** Language codes, e.g. { src: 'en', tgt: 'fr' }. */
  languages: { src: string; tgt: string };
  /** The train command's settings, kept so that --resume continues with the same ones. */
  training: Record<string, unknown>;
}

/** Checks the parsed config.json of `source` (a path, for the message). */
export function checkCheckpointConfig(value: unknown, source: string): CheckpointConfig {
  const config = value as Partial<CheckpointConfig> | null;
  if (typeof config !== 'object' || config === null || config.format !== checkpointFormat) {
    throw new Error(
      `${source}: not a translator checkpoint config (expected "format": "${checkpointFormat}")`,
    );
  }
  if (config.version !== 1) {
    throw new Error(
      `${source}: checkpoint version ${JSON.stringify(config.version)} is not supported (expected 1)`,
    );
  }
  if (typeof config.model !== 'object' || config.model === null || typeof config.model.kind !== 'string') {
    throw new Error(`${source}: "model" must be an object with a "kind"`);
  }
  if (typeof config.languages?.src !== 'string' || typeof config.languages?.tgt !== 'string') {
    throw new Error(`${source}: "languages" must be { "src": string, "tgt": string }`);
  }
  return { ...config, training: config.training ?? {} } as CheckpointConfig;
}
