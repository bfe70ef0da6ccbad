/**
 * @file Softmax cross-entropy as one fused primitive. Composed from log-softmax, gather and sums, a decoder's loss
 * over a vocabulary of V words made five [N, V] kernels each way and as many [N, V] arrays (8.5 MB each at
 * N = 512, V = 4,162); fused, the forward keeps one number per row and the backward writes the one gradient.
 */
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import type { FloatArray } from '../dtype.js';
import { DTypeError, IndexError, ShapeError, TensorloomError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { floatInputs, recording } from './rnn-gates.js';
import { empty, emptyForOverwrite } from './util.js';

/** The targets as int32 values, each checked to name a class in [0, classes). */
function targetValues(op: string, target: Tensor, rows: number, classes: number): Int32Array {
  if (target.dtype !== 'int32') throw new DTypeError(`${op}: target must be int32 (got ${target.dtype})`);
  if (target.ndim !== 1 || target.shape[0] !== rows) {
    throw new ShapeError(
      `${op}: target must be [N] = [${rows}] for logits [${rows},${classes}] (got ${formatShape(target.shape)})`,
    );
  }
  // A copy: the backward reads these values later, whatever happens to the target tensor meanwhile.
  const out = target.dataSync() as Int32Array;
  for (let n = 0; n < rows; n++) {
    if (out[n] < 0 || out[n] >= classes) {
      throw new IndexError(
        `${op}: target ${out[n]} at row ${n} is out of range for ${classes} classes (expected 0 ≤ target < ${classes})`,
      );
    }
  }
  return out;
}

/**
 * The cross-entropy of each row of logits [N, C] against class indices target [N] (int32, each in [0, C)), with
 * label smoothing ε: ℓ_n = (1 − ε)·(−log p_n[t_n]) + (ε/C)·Σ_c (−log p_n[c]), p_n = softmax(logits_n), as
 * `torch.nn.functional.cross_entropy(logits, target, reduction='none', label_smoothing=ε)`. One kernel each way:
 * the forward keeps each row's max and log Σ exp(x − max), and the gradient is g_n·(p_n − ε/C − (1 − ε)·onehot(t_n)).
 * @example
 * const loss = softmaxCrossEntropy(logits, targets, 0.1).mean(); // logits [N, V], targets int32 [N]
 */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor, labelSmoothing = 0): Tensor {
  const op = 'softmaxCrossEntropy';
  if (logits.ndim !== 2)
    throw new ShapeError(`${op}: logits must be [N, C] (got ${formatShape(logits.shape)})`);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new TensorloomError(`${op}: labelSmoothing must be in [0, 1] (got ${labelSmoothing})`);
  }
  const [rows, classes] = logits.shape;
  const [x] = floatInputs(op, { logits });
  const targets = targetValues(op, target, rows, classes);
  const loss = empty([rows], x.dtype);
  const stats = empty([rows, 2], x.dtype);
  getBackend().softmaxCrossEntropy(
    x,
    targets,
    labelSmoothing,
    loss.data as FloatArray,
    stats.data as FloatArray,
  );
  if (!recording([x])) return loss;
  return record('softmaxCrossEntropy', loss, [x], { targets, labelSmoothing, stats });
}

/**
 * softmaxCrossEntropy's backward, one kernel (not differentiable): the logits' gradient [N, C] from the loss
 * gradient g [N] and what the forward kept.
 */
export function softmaxCrossEntropyBackward(
  g: Tensor,
  logits: Tensor,
  targets: Int32Array,
  stats: Tensor,
  labelSmoothing: number,
): Tensor {
  const out = emptyForOverwrite(logits.shape, logits.dtype);
  getBackend().softmaxCrossEntropyBackward(
    logits,
    targets,
    stats.data as FloatArray,
    g.to(logits.dtype).dataSync() as FloatArray,
    labelSmoothing,
    out.data as FloatArray,
  );
  return out;
}
