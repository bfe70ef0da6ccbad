/** @file safetensors (https://huggingface.co/docs/safetensors): read and write state dicts as bytes, in any runtime. */
export { SafetensorsError } from './errors.js';
export type { SafetensorsContents, SafetensorsDtype } from './format.js';
export { parseSafetensors } from './parse.js';
export { serializeSafetensors } from './serialize.js';
