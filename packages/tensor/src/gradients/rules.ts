/**
 * @file One backward rule per primitive, each written with public tensor ops so that it runs on any backend.
 * A rule maps the output's gradient g to one gradient per input (null where an input gets none). Operands of
 * binary primitives arrive already broadcast: the `expand` rule sums gradients back to the original shapes.
 */

import { softmaxBackward } from '../ops/activations.js';
import { softmaxCrossEntropyBackward } from '../ops/cross-entropy.js';
import { cos, eq, ge, gt, log, logicalAnd, mul, reluBackward, sign, sin, where } from '../ops/elementwise.js';
import { gather, indexSelect, scatterAddToZeros } from '../ops/indexing.js';
import { cat } from '../ops/join.js';
import { lstmSequenceBackward } from '../ops/lstm-sequence.js';
import { matmul } from '../ops/matmul.js';
import { cast, expand, narrow, permute, reshape, slice, sliceScatter } from '../ops/movement.js';
import { layerNormBackward } from '../ops/normalization.js';
import { sum } from '../ops/reduce.js';
import { gruCellGatesBackward, lstmCellGatesBackward } from '../ops/rnn-gates.js';
import type { Primitive, PrimitiveParams } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import { matmulGradA, matmulGradB } from './matmul-grads.js';
import { sumTo } from './sum-to.js';

export interface GradContext<P extends Primitive> {
  inputs: readonly Tensor[];
  output: Tensor;
  params: PrimitiveParams[P];
}

export type GradRule<P extends Primitive> = (g: Tensor, ctx: GradContext<P>) => (Tensor | null)[];

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Gradient share of `a` in max(a, b): 1 where a wins, ½ at ties (PyTorch's rule). */
function winnerShare(a: Tensor, b: Tensor, wins: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return where(wins(a, b), 1, where(eq(a, b), 0.5, 0)).to(a.dtype);
}

/** A reduction's output (or gradient) with the reduced dims restored as size 1. */
function keepDims(t: Tensor, x: Tensor, { dims, keepdim }: { dims: number[]; keepdim: boolean }): Tensor {
  if (keepdim) return t;
  const reduced = new Set(dims);
  return reshape(
    t,
    x.shape.map((s, i) => (reduced.has(i) ? 1 : s)),
  );
}

/** An input's gradient, computed only if that input takes part in differentiation (a frozen weight or the
 * data fed to the first layer does not: skipping it saves a whole matmul per layer in backward). */
const needed = (x: Tensor, gradient: () => Tensor): Tensor | null => (x.requiresGrad ? gradient() : null);

/** The h each step of lstmSequence started from, in step order: h0 for the first one processed. */
function previousStates(states: Tensor, h0: Tensor, reverse: boolean): Tensor {
  const [steps, , width] = states.shape;
  const first = h0.unsqueeze(0); // [1, B, H]
  if (steps === 1) return first;
  const hs = narrow(states, 2, 0, width / 2); // [T, B, H]
  return reverse
    ? cat([narrow(hs, 0, 1, steps - 1), first], 0)
    : cat([first, narrow(hs, 0, 0, steps - 1)], 0);
}

/** amax/amin: the gradient is shared evenly among the elements equal to the extreme. */
function extremeGrad(
  g: Tensor,
  x: Tensor,
  output: Tensor,
  params: { dims: number[]; keepdim: boolean },
): Tensor {
  const hits = eq(x, keepDims(output, x, params)).to(g.dtype);
  return mul(hits, keepDims(g, x, params).div(sum(hits, params.dims, true)));
}

export const gradRules: { [P in Primitive]: GradRule<P> } = {
  // d(−x) = −dx
  neg: (g) => [g.neg()],
  // d(eˣ) = eˣ dx
  exp: (g, { output }) => [g.mul(output)],
  // d(log x) = dx / x
  log: (g, { inputs: [x] }) => [g.div(x)],
  // d(√x) = dx / (2√x)
  sqrt: (g, { output }) => [g.div(output.mul(2))],
  // d|x| = sign(x) dx (0 at 0, as in PyTorch)
  abs: (g, { inputs: [x] }) => [g.mul(sign(x))],
  sin: (g, { inputs: [x] }) => [g.mul(cos(x))],
  cos: (g, { inputs: [x] }) => [g.mul(sin(x)).neg()],
  // d(tanh x) = (1 − tanh²x) dx
  tanh: (g, { output }) => [g.mul(output.mul(output).neg().add(1))],
  // dσ = σ(1 − σ) dx
  sigmoid: (g, { output }) => [g.mul(output.mul(output.neg().add(1)))],
  // d relu = [x > 0] dx, one kernel
  relu: (g, { inputs: [x] }) => [reluBackward(g, x)],
  // d erf(x) = 2/√π · e^(−x²) dx
  erf: (g, { inputs: [x] }) => [g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI))],
  // d(a + b) = da + db
  add: (g) => [g, g],
  sub: (g) => [g, g.neg()],
  // d(a·b) = b·da + a·db
  mul: (g, { inputs: [a, b] }) => [needed(a, () => g.mul(b)), needed(b, () => g.mul(a))],
  // d(a/b) = da/b − (a/b)·db/b
  div: (g, { inputs: [a, b], output }) => [
    needed(a, () => g.div(b)),
    needed(b, () => g.mul(output).div(b).neg()),
  ],
  // d(aᵇ) = b·aᵇ⁻¹ da + aᵇ·log a db; zero where b = 0 (for da) or a = 0 ≤ b (for db), as PyTorch masks them
  pow: (g, { inputs: [a, b], output }) => [
    needed(a, () => where(eq(b, 0), 0, g.mul(b.mul(a.pow(b.sub(1)))))),
    needed(b, () => where(logicalAnd(eq(a, 0), ge(b, 0)), 0, g.mul(output.mul(log(a))))),
  ],
  maximum: (g, { inputs: [a, b] }) => [
    needed(a, () => g.mul(winnerShare(a, b, gt))),
    needed(b, () => g.mul(winnerShare(b, a, gt))),
  ],
  minimum: (g, { inputs: [a, b] }) => [
    needed(a, () => g.mul(winnerShare(b, a, gt))),
    needed(b, () => g.mul(winnerShare(a, b, gt))),
  ],
  where: (g, { inputs: [a, b], params: { cond } }) => [
    needed(a, () => where(cond, g, 0)),
    needed(b, () => where(cond, 0, g)),
  ],
  // d Σx = broadcast dy
  sum: (g, { inputs: [x], params }) => [expand(keepDims(g, x, params), x.shape)],
  // Ties share the gradient evenly.
  amax: (g, { inputs: [x], output, params }) => [extremeGrad(g, x, output, params)],
  amin: (g, { inputs: [x], output, params }) => [extremeGrad(g, x, output, params)],
  // The gradient goes to the chosen index only.
  maxDim: (g, { inputs: [x], params: { dim, indices } }) => [
    x.ndim === 0 ? g : scatterAddToZeros('scatterAdd', x, dim, indices, g),
  ],
  minDim: (g, { inputs: [x], params: { dim, indices } }) => [
    x.ndim === 0 ? g : scatterAddToZeros('scatterAdd', x, dim, indices, g),
  ],
  // y = softmax(x): ∂x = y ⊙ (g − Σ_dim g ⊙ y), one kernel
  softmax: (g, { output: y, params: { dim } }) => [softmaxBackward('softmax', y, g, dim)],
  // y = logSoftmax(x): ∂x = g − exp(y) ⊙ Σ_dim g, one kernel
  logSoftmax: (g, { output: y, params: { dim } }) => [softmaxBackward('logSoftmax', y, g, dim)],
  // ℓ = softmaxCrossEntropy(x, t): ∂x = g·(softmax(x) − ε/C − (1 − ε)·onehot(t)), one kernel
  softmaxCrossEntropy: (g, { inputs: [x], params: { targets, labelSmoothing, stats } }) => [
    softmaxCrossEntropyBackward(g, x, targets, stats, labelSmoothing),
  ],
  // y = layerNorm(x)·w + b, x̂ = (x − μ)·rstd, ĝ = g·w: ∂x = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ∂w = Σ g·x̂,
  // ∂b = Σ g over the rows (one kernel)
  layerNorm: (g, { inputs, params: { stats, normalizedShape, hasWeight } }) => {
    const [x, ...affine] = inputs;
    const weight = hasWeight ? affine[0] : null;
    const bias = affine.length > (hasWeight ? 1 : 0) ? affine[affine.length - 1] : null;
    const [dx, dWeight, dBias] = layerNormBackward(g, x, normalizedShape, weight, stats, [
      x.requiresGrad,
      weight?.requiresGrad ?? false,
      bias?.requiresGrad ?? false,
    ]);
    return [dx, ...(weight ? [dWeight] : []), ...(bias ? [dBias] : [])];
  },
  // [h | c] = lstmCell(gates, cPrev), with dc' = dc + dh·σ(o)·(1 − tanh²c): ∂gates = [dc'·tanh(g)·σ'(i),
  // dc'·cPrev·σ'(f), dc'·σ(i)·(1 − tanh²g), dh·tanh(c)·σ'(o)], ∂cPrev = dc'·σ(f) (σ' = σ(1 − σ); one kernel)
  lstmCellGates: (g, { inputs: [gates, cPrev], params: { activations } }) =>
    lstmCellGatesBackward(g, activations, cPrev, [gates.requiresGrad, cPrev.requiresGrad]),
  // The same cell at every step, back through time (one kernel): ∂gx = dGates per step, ∂h0, ∂c0 the state
  // gradients left at the first step, ∂W_hh = Σ_t dGatesₜᵀ·hₜ₋₁ (one product over all steps), ∂bias = Σ dGates
  lstmSequence: (
    g,
    { inputs: [gx, h0, c0, weightHh, bias], output, params: { activations, lengths, reverse } },
  ) => {
    const [dGx, dh0, dc0] = lstmSequenceBackward(g, output, activations, c0, weightHh, lengths, reverse);
    const [steps, batch, gateWidth] = dGx.shape;
    const biasGradient = bias ? [needed(bias, () => sum(dGx, [0, 1]))] : [];
    return [
      gx.requiresGrad ? dGx : null,
      h0.requiresGrad ? dh0 : null,
      c0.requiresGrad ? dc0 : null,
      needed(weightHh, () => {
        const hPrev = previousStates(output, h0, reverse); // [T, B, H]
        return reshape(dGx, [steps * batch, gateWidth])
          .t()
          .matmul(reshape(hPrev, [steps * batch, -1]));
      }),
      ...biasGradient,
    ];
  },
  // h = (1 − z)·n + z·hPrev, with dn = dh·(1 − z)·(1 − n²), dr = dn·gh_n·σ'(r), dz = dh·(hPrev − n)·σ'(z):
  // ∂gx = [dr, dz, dn], ∂gh = [dr, dz, dn·r], ∂hPrev = dh·z (one kernel)
  gruCellGates: (g, { inputs: [gx, gh, hPrev], params: { activations } }) =>
    gruCellGatesBackward(g, activations, gh, hPrev, [gx.requiresGrad, gh.requiresGrad, hPrev.requiresGrad]),
  // d(AB) = dA·B + A·dB → ∂A = G·Bᵀ, ∂B = Aᵀ·G (transposes are strided views, not copies; each gradient comes
  // out in its input's layout, see matmul-grads.ts)
  matmul: (g, { inputs: [a, b] }) => [
    needed(a, () => matmulGradA(g, a, b)),
    needed(b, () => matmulGradB(g, a, b)),
  ],
  // y = x·Wᵀ + b → ∂x = G·W, ∂W = Gᵀ·x (row-major, W's own layout), ∂b = Σ_rows G
  linear: (g, { inputs: [x, w, b] }) => [
    needed(x, () => matmul(g, w)),
    needed(w, () => matmul(g.mT, x)),
    ...(b ? [needed(b, () => sum(g, 0))] : []),
  ],
  reshape: (g, { inputs: [x] }) => [reshape(g, x.shape)],
  permute: (g, { params: { dims } }) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => {
      inverse[d] = i;
    });
    return [permute(g, inverse)];
  },
  expand: (g, { inputs: [x] }) => [sumTo(g, x.shape)],
  slice: (g, { inputs: [x], params: { dim, start, step } }) => [sliceScatter(g, x.shape, dim, start, step)],
  sliceScatter: (g, { inputs: [src], params: { dim, start, step } }) => [
    slice(g, dim, start, start + src.shape[dim] * step, step),
  ],
  cast: (g, { inputs: [x] }) => [cast(g, x.dtype)],
  contiguous: (g) => [g],
  cat: (g, { inputs, params: { dim } }) => {
    let start = 0;
    return inputs.map((t) => {
      const piece = narrow(g, dim, start, t.shape[dim]);
      start += t.shape[dim];
      return piece;
    });
  },
  gather: (g, { inputs: [x], params: { dim, index } }) => [scatterAddToZeros('scatterAdd', x, dim, index, g)],
  scatterAdd: (g, { params: { dim, index } }) => [g, gather(g, dim, index)],
  indexSelect: (g, { inputs: [x], params: { dim, index } }) => [
    scatterAddToZeros('indexAdd', x, dim, index, g),
  ],
  indexAdd: (g, { params: { dim, index } }) => [g, indexSelect(g, dim, index)],
};
