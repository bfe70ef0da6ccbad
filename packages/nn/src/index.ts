/**
 * @tensorloom/nn: modules, layers, initialisers and state dicts with PyTorch's names and layouts.
 * @example
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
 * model.namedParameters().map(([name]) => name); // ['0.weight', '0.bias', '2.weight', '2.bias']
 */

export { ModuleError, StateDictError } from './errors.js';
export * as init from './init.js';
export { Dropout, GELU, Identity, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from './layers/activations.js';
export { ModuleDict, ModuleList, Sequential } from './layers/containers.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { LayerNorm, type LayerNormOptions } from './layers/layer-norm.js';
export { Linear, type LinearOptions, linear } from './layers/linear.js';
export { type LoadResult, Module, type StateDict } from './module.js';
export * from './safetensors/index.js';
