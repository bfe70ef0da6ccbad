/** @file Attaches a primitive's backward rule to its output when the graph is being recorded. */
import { gradRules } from '../gradients/rules.js';
import type { Primitive, PrimitiveParams } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from './grad-mode.js';

export function record<P extends Primitive>(
  primitive: P,
  output: Tensor,
  inputs: readonly Tensor[],
  params: PrimitiveParams[P],
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return output;
  const rule = gradRules[primitive];
  output._attachGradFn({
    name: primitive,
    inputs,
    params,
    backward: (grad) => rule(grad, { inputs, output, params }),
  });
  return output;
}
