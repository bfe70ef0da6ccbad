/**
 * @file Checkpoint directories on disk. A checkpoint is a directory of
 *   config.json          the model configuration, languages and training settings (checkpoint/config.ts)
 *   tokenizer.json       both sides' tokenizers and vocabularies
 *   model.safetensors    the weights, under PyTorch-style names
 *   optimizer.safetensors + optimizer.json   the optimizer's buffers and the rest of its state dict
 *   trainer.json         where training stands (train/trainer-state.ts)
 * The last three only in checkpoints that can resume training. A checkpoint is written whole into a temporary
 * sibling directory and swapped in by renames, so a reader (or a crash) never sees a mix of two checkpoints.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Module } from '@tensorloom/nn';
import { parseSafetensors, serializeSafetensors } from '@tensorloom/nn';
import type { LoadableStateDict, OptimizerStateDict } from '@tensorloom/optim';
import { Tensor } from '@tensorloom/tensor';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import type { TokenizerPairJson } from '../text/text-codec.js';
import { checkTrainerState, type TrainerState } from '../train/trainer-state.js';
import { type CheckpointConfig, checkCheckpointConfig } from './config.js';

export interface TrainingParts {
  trainer: TrainerState;
  optimizer: OptimizerStateDict;
  scheduler: Record<string, unknown> | null;
}

export interface CheckpointContents {
  config: CheckpointConfig;
  tokenizers: TokenizerPairJson;
  weights: Uint8Array;
  training: {
    trainer: TrainerState;
    optimizer: LoadableStateDict;
    scheduler: Record<string, unknown> | null;
  } | null;
}

/** Writes a checkpoint directory at `dir`, replacing any checkpoint there. */
export async function saveCheckpoint(
  dir: string,
  parts: { config: CheckpointConfig; tokenizers: TokenizerPairJson; model: Module; training?: TrainingParts },
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const temporary = join(
    dirname(dir),
    `.${basename(dir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  await mkdir(temporary);
  try {
    await writeJsonAtomic(join(temporary, 'config.json'), parts.config);
    await writeJsonAtomic(join(temporary, 'tokenizer.json'), parts.tokenizers, 0);
    await writeFileAtomic(
      join(temporary, 'model.safetensors'),
      serializeSafetensors(parts.model.stateDict(), { format: 'pt' }),
    );
    if (parts.training) {
      const { tensors, json } = splitOptimizerState(parts.training.optimizer);
      await writeFileAtomic(join(temporary, 'optimizer.safetensors'), serializeSafetensors(tensors));
      await writeJsonAtomic(join(temporary, 'optimizer.json'), {
        optimizer: json,
        scheduler: parts.training.scheduler,
      });
      await writeJsonAtomic(join(temporary, 'trainer.json'), parts.training.trainer, 0);
    }
    await swapIn(temporary, dir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** Reads a checkpoint directory; `training` is null when it holds no optimizer/trainer state. */
export async function loadCheckpoint(dir: string): Promise<CheckpointContents> {
  const config = checkCheckpointConfig(await readJson(join(dir, 'config.json')), join(dir, 'config.json'));
  const tokenizers = await readJson<TokenizerPairJson>(join(dir, 'tokenizer.json'));
  const weights = new Uint8Array(await readFile(join(dir, 'model.safetensors')));
  let training: CheckpointContents['training'] = null;
  if (await exists(join(dir, 'trainer.json'))) {
    const trainer = checkTrainerState(await readJson(join(dir, 'trainer.json')), join(dir, 'trainer.json'));
    const saved = await readJson<{ optimizer: unknown; scheduler: Record<string, unknown> | null }>(
      join(dir, 'optimizer.json'),
    );
    const buffers = parseSafetensors(await readFile(join(dir, 'optimizer.safetensors'))).tensors;
    training = {
      trainer,
      optimizer: joinOptimizerState(saved.optimizer, buffers),
      scheduler: saved.scheduler,
    };
  }
  return { config, tokenizers, weights, training };
}

/**
 * The checkpoint a `--model DIR` means: DIR itself when it holds config.json, else DIR/best, else DIR/last
 * (what `train --out DIR` writes).
 */
export async function findCheckpoint(dir: string, prefer: 'best' | 'last' = 'best'): Promise<string> {
  const order = prefer === 'best' ? ['', 'best', 'last'] : ['', 'last', 'best'];
  for (const sub of order) {
    const candidate = sub === '' ? dir : join(dir, sub);
    if (await exists(join(candidate, 'config.json'))) return candidate;
  }
  const leftover = (await readdir(dir).catch(() => [] as string[])).find((name) => name.includes('.old.'));
  const hint = leftover
    ? ` (an interrupted save left ${join(dir, leftover)}: rename it to "last" to use it)`
    : '';
  throw new Error(
    `no translator checkpoint at ${dir}: expected config.json in it, or in ${dir}/best or ${dir}/last${hint}`,
  );
}

/** Renames `temporary` to `dir`; an existing `dir` is moved aside first and removed once the new one is in. */
async function swapIn(temporary: string, dir: string): Promise<void> {
  if (!(await exists(dir))) {
    await rename(temporary, dir);
    return;
  }
  const old = join(dirname(dir), `${basename(dir)}.old.${randomBytes(4).toString('hex')}`);
  await rename(dir, old);
  await rename(temporary, dir);
  await rm(old, { recursive: true, force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const tensorRef = '$tensor';

/** Tensors of an optimizer state dict go to safetensors (by path), the rest stays JSON with references. */
function splitOptimizerState(state: OptimizerStateDict): { tensors: Record<string, Tensor>; json: unknown } {
  const tensors: Record<string, Tensor> = {};
  const walk = (value: unknown, path: string): unknown => {
    if (value instanceof Tensor) {
      tensors[path] = value;
      return { [tensorRef]: path };
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}.${i}`));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]),
      );
    }
    return value;
  };
  return { tensors, json: walk(state, '') };
}

function joinOptimizerState(json: unknown, tensors: Record<string, Tensor>): LoadableStateDict {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) {
      const ref = (value as Record<string, unknown>)[tensorRef];
      if (typeof ref === 'string') {
        const tensor = tensors[ref];
        if (!tensor)
          throw new Error(`optimizer.safetensors: missing tensor "${ref}" named in optimizer.json`);
        return tensor;
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return walk(json) as LoadableStateDict;
}
