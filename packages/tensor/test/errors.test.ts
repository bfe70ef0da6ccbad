import {
  add,
  cat,
  DTypeError,
  gather,
  IndexError,
  indexSelect,
  matmul,
  randn,
  ShapeError,
  TensorloomError,
  tensor,
  zeros,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe('errors name the op and the shapes', () => {
  it.each([
    [
      'matmul inner dims',
      () => matmul(zeros([2, 3]), zeros([4, 5])),
      ShapeError,
      'matmul: cannot multiply [2,3] by [4,5] (inner dims 3 ≠ 4)',
    ],
    [
      'matmul of a scalar',
      () => matmul(zeros([]), zeros([2])),
      ShapeError,
      'matmul: both operands need at least 1 dim',
    ],
    [
      'broadcasting',
      () => add(zeros([2, 3]), zeros([4])),
      ShapeError,
      'add: shapes [2,3] and [4] do not broadcast (dim -1: 3 vs 4)',
    ],
    [
      'reshape size',
      () => zeros([2, 3]).reshape([4, 2]),
      ShapeError,
      'reshape: shape [4,2] is invalid for input of size 6',
    ],
    ['two -1 dims', () => zeros([2, 3]).reshape([-1, -1]), ShapeError, 'reshape: only one dim can be -1'],
    [
      'view of a non-contiguous tensor',
      () => zeros([2, 3]).t().view([6]),
      ShapeError,
      'view: shape [6] is not compatible',
    ],
    [
      'dim out of range',
      () => zeros([2, 3]).sum(2),
      IndexError,
      'sum: dim 2 out of range for a 2-d tensor (expected in [-2, 1])',
    ],
    [
      'negative dim out of range',
      () => zeros([2, 3]).softmax(-3),
      IndexError,
      'softmax: dim -3 out of range',
    ],
    [
      'expand of a non-1 dim',
      () => zeros([2, 3]).expand([4, 3]),
      ShapeError,
      "expand: the input's dim 0 has size 2 and cannot expand to 4",
    ],
    [
      'permute length',
      () => zeros([2, 3]).permute([0]),
      ShapeError,
      'permute: expected 2 dims for a [2,3] tensor',
    ],
    [
      'cat shapes',
      () => cat([zeros([2, 3]), zeros([2, 4])], 0),
      ShapeError,
      'cat: tensor 1 has shape [2,4], expected [2,3] except in dim 0',
    ],
    [
      'index out of range',
      () => indexSelect(zeros([3, 2]), 0, tensor([0, 3])),
      IndexError,
      'indexSelect: index 3 is out of range for dim 0 of size 3',
    ],
    [
      'float index',
      () => gather(zeros([3, 2]), 0, zeros([1, 2])),
      DTypeError,
      'gather: index must be an int32 tensor (got float32)',
    ],
    [
      'narrow bounds',
      () => zeros([3]).narrow(0, 2, 2),
      IndexError,
      'narrow: start 2 and length 2 exceed dim 0 of size 3',
    ],
    [
      'item of many',
      () => zeros([2]).item(),
      DTypeError,
      'item: only one-element tensors can be converted to a number (got [2])',
    ],
    [
      'mean of ints',
      () => tensor([1, 2]).mean(),
      DTypeError,
      'mean: input must be floating point (got int32)',
    ],
    [
      'max over an empty dim',
      () => zeros([0, 2]).amax(0),
      IndexError,
      'amax: cannot reduce over an empty dim',
    ],
    [
      'where with a float condition',
      () => zeros([2]).where(zeros([2]), 1),
      DTypeError,
      'where: condition must be a bool tensor (got float32)',
    ],
  ])('%s', (_name, fn, type, message) => {
    expect(fn).toThrow(type);
    expect(fn).toThrow(message);
  });

  it('every error is a TensorloomError with its class name', () => {
    try {
      matmul(randn([2, 3]), randn([2, 3]));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TensorloomError);
      expect((error as Error).name).toBe('ShapeError');
    }
  });

  it('a failed op leaves its inputs untouched', () => {
    const a = tensor([1, 2, 3], { dtype: 'float32' });
    expect(() => add(a, zeros([2]))).toThrow(ShapeError);
    expect(a.toArray()).toEqual([1, 2, 3]);
  });
});
