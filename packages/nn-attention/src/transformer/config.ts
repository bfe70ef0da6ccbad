/** @file The configuration every Transformer layer shares, its defaults (PyTorch's) and its checks. */
import type { Generator, Tensor } from '@tensorloom/tensor';
import { ShapeError, TensorloomError } from '@tensorloom/tensor';
import { checkInteger, checkProbability, formatShape } from '../checks.js';
import type { PositionalHook } from '../multihead.js';

/** The feed-forward block's nonlinearity: PyTorch's 'relu' or (exact) 'gelu', or any elementwise function. */
export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

/** One encoder or decoder layer (nn.TransformerEncoderLayer / nn.TransformerDecoderLayer). */
export interface TransformerLayerConfig {
  /** D: the model width. */
  dModel: number;
  /** H: attention heads (D must be divisible by H). */
  nhead: number;
  /** The feed-forward block's hidden width (default 2048). */
  dimFeedforward?: number;
  /** Dropout in attention, in the feed-forward block and on each residual branch, training only (default 0.1). */
  dropout?: number;
  /** The feed-forward nonlinearity (default 'relu'). */
  activation?: Activation;
  /** LayerNorm's ε (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and outputs as [B, T, D] (default false: [T, B, D]). */
  batchFirst?: boolean;
  /** Pre-norm: x + f(norm(x)) (default false: post-norm, norm(x + f(x)), as in the paper). */
  normFirst?: boolean;
  /** Applied to the per-head q and k of self-attention (rotary embeddings); see PositionalHook. */
  positionalHook?: PositionalHook | null;
  /** Draws the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
}

/** TransformerLayerConfig with every default filled in. */
export type ResolvedLayerConfig = Required<Omit<TransformerLayerConfig, 'generator' | 'positionalHook'>> & {
  generator: Generator | undefined;
  positionalHook: PositionalHook | null;
};

export function resolveLayerConfig(op: string, config: TransformerLayerConfig): ResolvedLayerConfig {
  const resolved: ResolvedLayerConfig = {
    dModel: config.dModel,
    nhead: config.nhead,
    dimFeedforward: config.dimFeedforward ?? 2048,
    dropout: config.dropout ?? 0.1,
    activation: config.activation ?? 'relu',
    layerNormEps: config.layerNormEps ?? 1e-5,
    batchFirst: config.batchFirst ?? false,
    normFirst: config.normFirst ?? false,
    positionalHook: config.positionalHook ?? null,
    generator: config.generator,
  };
  checkInteger(op, 'dModel', resolved.dModel, 1);
  checkInteger(op, 'nhead', resolved.nhead, 1);
  checkInteger(op, 'dimFeedforward', resolved.dimFeedforward, 1);
  checkProbability(op, 'dropout', resolved.dropout);
  if (!(resolved.layerNormEps > 0))
    throw new TensorloomError(`${op}: layerNormEps must be positive (got ${resolved.layerNormEps})`);
  if (resolved.dModel % resolved.nhead !== 0) {
    throw new TensorloomError(
      `${op}: dModel must be divisible by nhead (got dModel ${resolved.dModel}, nhead ${resolved.nhead})`,
    );
  }
  activationFunction(op, resolved.activation);
  return resolved;
}

export function activationFunction(op: string, activation: Activation): (x: Tensor) => Tensor {
  if (typeof activation === 'function') return activation;
  if (activation === 'relu') return (x) => x.relu();
  if (activation === 'gelu') return (x) => x.gelu();
  throw new TensorloomError(`${op}: activation must be 'relu', 'gelu' or a function (got '${activation}')`);
}

/** Throws unless x is [T, B, D] / [B, T, D] (batchFirst) or unbatched [T, D] (or only batched, if so asked). */
export function checkSequence(
  op: string,
  what: string,
  x: Tensor,
  dModel: number,
  batchFirst: boolean,
  batchedOnly = false,
): void {
  const layout = batchFirst ? '[B, T, D]' : '[T, B, D]';
  const ranks = batchedOnly ? [3] : [2, 3];
  if (!ranks.includes(x.ndim) || x.shape[x.ndim - 1] !== dModel) {
    throw new ShapeError(
      `${op}: ${what} must be ${layout}${batchedOnly ? '' : ' or unbatched [T, D]'} with D = dModel = ${dModel} (got ${formatShape(x.shape)})`,
    );
  }
}
