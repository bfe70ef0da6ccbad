/**
 * @file Numerical gradient checking in float64. Compares autograd's vector-Jacobian product for a random
 * cotangent R against central finite differences of the scalar Σ f(x)·R, one input element at a time.
 */
import { AutogradError, DTypeError } from '../errors.js';
import { Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed for the random cotangent. */
  seed?: number;
}

export class GradcheckError extends AutogradError {
  override name = 'GradcheckError';
}

type Outputs = Tensor | readonly Tensor[];

function asList(out: Outputs): readonly Tensor[] {
  return out instanceof Tensor ? [out] : out;
}

function floatOutputs(out: Outputs): Tensor[] {
  return asList(out).filter((t) => t.dtype === 'float64' || t.dtype === 'float32');
}

/** Σ_k Σ out_k · R_k as a number, without recording a graph. */
function project(fn: (...inputs: Tensor[]) => Outputs, inputs: Tensor[], cotangents: Float64Array[]): number {
  return noGrad(() => {
    let total = 0;
    floatOutputs(fn(...inputs)).forEach((t, k) => {
      const values = t.dataSync();
      for (let i = 0; i < values.length; i++) total += values[i] * cotangents[k][i];
    });
    return total;
  });
}

/**
 * Checks fn's gradients against finite differences; returns true or throws a GradcheckError naming the input,
 * the element and both values. Inputs that require grad must be float64 leaves.
 * @example gradcheck((x) => x.tanh().sum(), [randn([3], { dtype: 'float64', requiresGrad: true })])
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Outputs,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = options;
  for (const [i, t] of inputs.entries()) {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new DTypeError(
        `gradcheck: input ${i} requires grad but is ${t.dtype}; use float64 for finite differences`,
      );
    }
  }
  const generator = new Generator(seed);
  const outputs = floatOutputs(fn(...inputs));
  if (!outputs.some((t) => t.requiresGrad)) throw new GradcheckError('gradcheck: no output requires grad');
  const cotangents = outputs.map((t) => Float64Array.from({ length: t.size }, () => generator.normal()));

  // Analytic: backward of Σ out·R.
  for (const t of inputs) t.grad = null;
  let objective: Tensor | null = null;
  outputs.forEach((t, k) => {
    const r = new Tensor(Float64Array.from(cotangents[k]), [...t.shape]).to(t.dtype);
    const term = t.mul(r).sum();
    objective = objective ? objective.add(term) : term;
  });
  (objective as unknown as Tensor).backward();

  // Numeric: perturb each element of each input in place (inputs are leaves we own for the check).
  inputs.forEach((input, i) => {
    if (!input.requiresGrad) return;
    const analytic = input.grad ? input.grad.dataSync() : new Float64Array(input.size);
    const data = input.data as Float64Array;
    if (!input.isContiguous()) throw new GradcheckError(`gradcheck: input ${i} must be contiguous`);
    for (let e = 0; e < input.size; e++) {
      const at = input.offset + e;
      const original = data[at];
      data[at] = original + eps;
      const plus = project(fn, inputs, cotangents);
      data[at] = original - eps;
      const minus = project(fn, inputs, cotangents);
      data[at] = original;
      const numeric = (plus - minus) / (2 * eps);
      if (!(Math.abs(numeric - analytic[e]) <= atol + rtol * Math.abs(numeric))) {
        throw new GradcheckError(
          `gradcheck: gradient mismatch for input ${i} at element ${e}: analytic ${analytic[e]}, numeric ${numeric}`,
        );
      }
    }
  });
  return true;
}
