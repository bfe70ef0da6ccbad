/** @file A Translator from a checkpoint directory on disk (DIR, DIR/best or DIR/last). */
import { findCheckpoint, loadCheckpoint } from '../../checkpoint/files.js';
import { Translator } from '../../translator.js';

export async function loadTranslator(dir: string): Promise<Translator> {
  const checkpointDir = await findCheckpoint(dir, 'best');
  const { config, tokenizers, weights } = await loadCheckpoint(checkpointDir);
  return Translator.fromParts({ config, tokenizers, weights }, checkpointDir);
}
