/**
 * @file The model a server answers with: the checkpoint's three files read once into memory, and the Translator
 * built from those same bytes. The page downloads the bytes the server translates with, even if training later
 * writes a new checkpoint into the directory.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findCheckpoint } from '../checkpoint/files.js';
import type { TokenizerPairJson } from '../text/text-codec.js';
import { Translator } from '../translator.js';

export interface ServedFile {
  bytes: Buffer;
  contentType: string;
}

export interface ServedModel {
  /** The checkpoint directory the files came from. */
  dir: string;
  translator: Translator;
  /** config.json, tokenizer.json and model.safetensors, by file name. */
  files: ReadonlyMap<string, ServedFile>;
}

export const modelFileNames = ['config.json', 'tokenizer.json', 'model.safetensors'] as const;

/** Reads the checkpoint a `--model DIR` means (DIR, DIR/best or DIR/last) and builds its Translator. */
export async function loadServedModel(modelDir: string): Promise<ServedModel> {
  const dir = await findCheckpoint(modelDir, 'best');
  const [config, tokenizer, weights] = await Promise.all(
    modelFileNames.map((name) => readFile(join(dir, name))),
  );
  const parseJson = (bytes: Buffer, name: string): unknown => {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new Error(`${join(dir, name)}: not valid JSON (${(error as Error).message})`);
    }
  };
  const translator = Translator.fromParts(
    {
      config: parseJson(config, 'config.json'),
      tokenizers: parseJson(tokenizer, 'tokenizer.json') as TokenizerPairJson,
      weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    },
    dir,
  );
  const json = 'application/json; charset=utf-8';
  const files = new Map<string, ServedFile>([
    ['config.json', { bytes: config, contentType: json }],
    ['tokenizer.json', { bytes: tokenizer, contentType: json }],
    ['model.safetensors', { bytes: weights, contentType: 'application/octet-stream' }],
  ]);
  return { dir, translator, files };
}
