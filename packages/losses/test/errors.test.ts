/** Typed errors that name the loss and give expected against got. */
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  type Reduction,
  sequenceCrossEntropy,
} from '@tensorloom/losses';
import {
  DTypeError,
  IndexError,
  ShapeError,
  type Tensor,
  TensorloomError,
  tensor,
  zeros,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const int32 = (data: number[], shape?: number[]) =>
  tensor(data, { dtype: 'int32', shape: shape ?? [data.length] });
const logits = zeros([4, 5]);
const labels = int32([0, 1, 2, 3]);

/** Throws `type` with a message containing every fragment. */
function expectError(fn: () => unknown, type: typeof TensorloomError, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'an error was thrown').toBeInstanceOf(type);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

describe('crossEntropy and nllLoss', () => {
  it.each([
    ['crossEntropy', crossEntropy],
    ['nllLoss', nllLoss],
  ] as const)('%s: target dtype, shapes, range, weight', (name, loss) => {
    const call =
      (target: Tensor, options = {}) =>
      () =>
        loss(logits, target, options);
    expectError(call(zeros([4])), DTypeError, `${name}: class-index target must be int32 (got float32)`);
    expectError(call(tensor([true, false, true, true])), DTypeError, `${name}:`, 'got bool');
    expectError(
      call(int32([0, 1, 2])),
      ShapeError,
      `${name}: target must have the input's shape without the class dim (expected [4], got [3]; input [4,5])`,
    );
    expectError(call(int32([0, 7, 2, 1])), IndexError, `${name}: target 7 is out of range for 5 classes`);
    expectError(call(int32([0, -1, 2, 1])), IndexError, 'target -1 is out of range', 'or ignoreIndex -100');
    expectError(call(int32([0, 5, 2, 1]), { ignoreIndex: 2 }), IndexError, 'target 5', 'or ignoreIndex 2');
    expectError(
      call(labels, { weight: zeros([4]) }),
      ShapeError,
      `${name}: weight must have one entry per class (expected [5], got [4])`,
    );
    expectError(
      call(labels, { weight: int32([1, 1, 1, 1, 1]) }),
      DTypeError,
      `${name}: weight must be float`,
    );
    expectError(
      call(labels, { reduction: 'avg' as Reduction }),
      TensorloomError,
      `${name}: reduction must be one of`,
    );
    expectError(
      () => loss(int32([0, 1, 2]), int32([0], [])),
      DTypeError,
      `${name}: input must be float32 or float64`,
    );
    expectError(() => loss(zeros([]), int32([0], [])), ShapeError, `${name}: input must be [C], [N, C]`);
    expectError(() => loss(zeros([2, 3, 4]), int32([0, 1], [2])), ShapeError, 'expected [2,4], got [2]');
  });

  it('crossEntropy: a probability target must match the input, and takes no ignoreIndex', () => {
    expectError(
      () => crossEntropy(logits, zeros([4, 6])),
      ShapeError,
      "crossEntropy: a probability target must have the input's shape (expected [4,5], got [4,6])",
    );
    expectError(
      () => crossEntropy(logits, zeros([4, 5]), { ignoreIndex: 1 }),
      TensorloomError,
      'crossEntropy: ignoreIndex is not supported for probability targets',
    );
    expectError(
      () => crossEntropy(logits, zeros([4])),
      DTypeError,
      "a probability target must have the input's shape [4,5]",
    );
  });

  it('crossEntropy: labelSmoothing must be in [0, 1]', () => {
    expectError(
      () => crossEntropy(logits, labels, { labelSmoothing: 1.5 }),
      TensorloomError,
      'crossEntropy: labelSmoothing must be in [0, 1] (got 1.5)',
    );
  });
});

describe('elementwise losses', () => {
  it.each([
    ['mseLoss', mseLoss],
    ['l1Loss', l1Loss],
    ['binaryCrossEntropyWithLogits', binaryCrossEntropyWithLogits],
    ['klDiv', klDiv],
  ] as const)('%s: shapes and dtypes', (name, loss) => {
    expectError(
      () => loss(zeros([3, 1]), zeros([3])),
      ShapeError,
      `${name}: target must have the input's shape (expected [3,1], got [3])`,
    );
    expectError(
      () => loss(zeros([3]), int32([0, 1, 1])),
      DTypeError,
      `${name}: target must be float32 or float64 (got int32)`,
    );
    expectError(() => loss(int32([0, 1, 1]), zeros([3])), DTypeError, `${name}: input must be float`);
  });

  it('binaryCrossEntropyWithLogits: weight and posWeight must broadcast to the input', () => {
    const x = zeros([4, 3]);
    expectError(
      () => binaryCrossEntropyWithLogits(x, x, { posWeight: zeros([4]) }),
      ShapeError,
      "binaryCrossEntropyWithLogits: posWeight [4] must broadcast to the input's shape [4,3]",
    );
    expectError(
      () => binaryCrossEntropyWithLogits(x, x, { weight: zeros([2, 4, 3]) }),
      ShapeError,
      "weight [2,4,3] must broadcast to the input's shape [4,3]",
    );
  });

  it("klDiv: reduction includes 'batchmean'; the others reject it", () => {
    expectError(
      () => klDiv(zeros([2]), zeros([2]), { reduction: 'avg' as Reduction }),
      TensorloomError,
      "klDiv: reduction must be one of 'none', 'mean', 'sum', 'batchmean' (got 'avg')",
    );
    expectError(
      () => mseLoss(zeros([2]), zeros([2]), { reduction: 'batchmean' as Reduction }),
      TensorloomError,
      'mseLoss: reduction must be one of',
    );
  });
});

describe('sequenceCrossEntropy', () => {
  const x = zeros([2, 3, 5]);
  const targets = int32([1, 2, 3, 4, 0, 0], [2, 3]);

  it('shapes, dtypes and ranges', () => {
    expectError(
      () => sequenceCrossEntropy(zeros([6, 5]), targets),
      ShapeError,
      'logits must be [B, T, V] (got [6,5])',
    );
    expectError(
      () => sequenceCrossEntropy(x, int32([1, 2, 3], [1, 3])),
      ShapeError,
      'targets must be [B, T] = [2,3] to match logits [2,3,5] (got [1,3])',
    );
    expectError(
      () => sequenceCrossEntropy(x, zeros([2, 3])),
      DTypeError,
      'targets must be int32 (got float32)',
    );
    expectError(
      () => sequenceCrossEntropy(x, targets, { mask: zeros([2, 3]) }),
      DTypeError,
      'mask must be a bool tensor',
    );
    expectError(
      () => sequenceCrossEntropy(x, targets, { mask: tensor([true, false]) }),
      ShapeError,
      "mask must have the targets' shape (expected [2,3], got [2])",
    );
    expectError(
      () => sequenceCrossEntropy(x, int32([1, 2, 9, 4, 0, 0], [2, 3]), { padIndex: 0 }),
      IndexError,
      'sequenceCrossEntropy: target 9 is out of range for 5 classes (expected 0 ≤ target < 5 at real tokens)',
    );
    expectError(
      () => sequenceCrossEntropy(x, targets, { padIndex: 0.5 }),
      TensorloomError,
      'padIndex must be an integer',
    );
  });
});
