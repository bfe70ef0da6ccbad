/** @file Invalid configurations and inputs throw typed errors that name the module and the shapes. */
import {
  AdditiveAttention,
  LuongAttention,
  MultiheadAttention,
  scaledDotProductAttention,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
} from '@tensorloom/nn-attention';
import { DTypeError, randn, ShapeError, TensorloomError, tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

type ErrorClass = new (...args: any[]) => Error;

function expectError(fn: () => unknown, type: ErrorClass, message: RegExp): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toMatch(message);
}

const mha = new MultiheadAttention({ embedDim: 8, numHeads: 2 });
const x = randn([3, 2, 8]); // [T, B, E]
const m = randn([4, 2, 8]); // [S, B, E]

describe('configuration', () => {
  const cases: [string, () => unknown, ErrorClass, RegExp][] = [
    [
      'embedDim not divisible by numHeads',
      () => new MultiheadAttention({ embedDim: 10, numHeads: 3 }),
      TensorloomError,
      /multiheadAttention: embedDim must be divisible by numHeads \(got embedDim 10, numHeads 3\)/,
    ],
    [
      'dModel not divisible by nhead',
      () => new TransformerEncoderLayer({ dModel: 10, nhead: 4 }),
      TensorloomError,
      /transformerEncoderLayer: dModel must be divisible by nhead \(got dModel 10, nhead 4\)/,
    ],
    [
      'dropout out of range',
      () => new MultiheadAttention({ embedDim: 8, numHeads: 2, dropout: 1.5 }),
      TensorloomError,
      /multiheadAttention: dropout must be in \[0, 1\] \(got 1.5\)/,
    ],
    [
      'unknown activation',
      () => new TransformerDecoderLayer({ dModel: 8, nhead: 2, activation: 'tanh' as 'relu' }),
      TensorloomError,
      /activation must be 'relu', 'gelu' or a function \(got 'tanh'\)/,
    ],
    [
      'numEncoderLayers 0',
      () => new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 0 }),
      TensorloomError,
      /transformer: numEncoderLayers must be an integer ≥ 1 \(got 0\)/,
    ],
    [
      "Luong 'dot' with querySize ≠ keySize",
      () => new LuongAttention({ score: 'dot', querySize: 4, keySize: 6 }),
      TensorloomError,
      /luongAttention: the 'dot' score needs querySize = keySize \(got 4 and 6\); use 'general'/,
    ],
    [
      'unknown Luong score',
      () => new LuongAttention({ score: 'bilinear' as 'dot', querySize: 4, keySize: 4 }),
      TensorloomError,
      /luongAttention: score must be 'dot', 'general' or 'concat' \(got 'bilinear'\)/,
    ],
    [
      'additive hiddenSize 0',
      () => new AdditiveAttention({ querySize: 4, keySize: 4, hiddenSize: 0 }),
      TensorloomError,
      /additiveAttention: hiddenSize must be an integer ≥ 1 \(got 0\)/,
    ],
  ];
  it.each(cases)('%s', (_, fn, type, message) => expectError(fn, type, message));
});

describe('shapes and masks', () => {
  const cases: [string, () => unknown, ErrorClass, RegExp][] = [
    [
      'MHA: query width ≠ embedDim',
      () => mha.forward(randn([3, 2, 6]), m, m),
      ShapeError,
      /multiheadAttention: query's last dim must equal embedDim \(expected 8, got 6; query \[3, 2, 6\]\)/,
    ],
    [
      'MHA: query of 4 dims',
      () => mha.forward(randn([1, 3, 2, 8]), m, m),
      ShapeError,
      /multiheadAttention: query must be \[T, B, E\] or unbatched \[T, E\] \(got \[1, 3, 2, 8\]\)/,
    ],
    [
      'MHA: key and value lengths differ',
      () => mha.forward(x, m, randn([5, 2, 8])),
      ShapeError,
      /multiheadAttention: key and value must have the same length and batch size \(key \[4, 2, 8\], value \[5, 2, 8\]\)/,
    ],
    [
      'MHA: batch sizes differ',
      () => mha.forward(x, randn([4, 3, 8]), randn([4, 3, 8])),
      ShapeError,
      /multiheadAttention: query and key must have the same batch size \(query \[3, 2, 8\], key \[4, 3, 8\]\)/,
    ],
    [
      'MHA: key width ≠ kdim',
      () => new MultiheadAttention({ embedDim: 8, numHeads: 2, kdim: 5, vdim: 8 }).forward(x, m, m),
      ShapeError,
      /multiheadAttention: key's last dim must equal kdim \(expected 5, got 8; key \[4, 2, 8\]\)/,
    ],
    [
      'MHA: attnMask of the wrong shape',
      () => mha.forward(x, m, m, { attnMask: zeros([4, 4], { dtype: 'bool' }) }),
      ShapeError,
      /multiheadAttention: attnMask must be \[3, 4\] \(\[T, S\]\) or \[4, 3, 4\] \(\[B·H, T, S\]\) \(got \[4, 4\]\)/,
    ],
    [
      'MHA: keyPaddingMask of the wrong shape',
      () => mha.forward(x, m, m, { keyPaddingMask: zeros([4, 2], { dtype: 'bool' }) }),
      ShapeError,
      /multiheadAttention: keyPaddingMask must be \[2, 4\] \(\[B, S\]\) \(got \[4, 2\]\)/,
    ],
    [
      'MHA: an int32 mask',
      () => mha.forward(x, m, m, { keyPaddingMask: zeros([2, 4], { dtype: 'int32' }) }),
      DTypeError,
      /multiheadAttention: keyPaddingMask must be bool or a float additive mask \(got int32\)/,
    ],
    [
      'MHA step: a cache of the wrong shape',
      () => mha.forwardStep(x.narrow(0, 0, 1), { keys: zeros([2, 2, 3, 5]), values: zeros([2, 2, 3, 5]) }),
      ShapeError,
      /multiheadAttention.forwardStep: cached keys and values must be \[B, H, S, Dh\] = \[2, 2, S, 4\] \(got keys \[2, 2, 3, 5\]/,
    ],
    [
      'SDPA: Dk differs',
      () => scaledDotProductAttention(randn([3, 4]), randn([5, 3]), randn([5, 2])),
      ShapeError,
      /scaledDotProductAttention: query and key must have the same last dim Dk \(query \[3, 4\], key \[5, 3\]\)/,
    ],
    [
      'SDPA: key and value lengths differ',
      () => scaledDotProductAttention(randn([3, 4]), randn([5, 4]), randn([6, 2])),
      ShapeError,
      /scaledDotProductAttention: key and value must have the same length S \(key \[5, 4\], value \[6, 2\]\)/,
    ],
    [
      'SDPA: batch dims do not broadcast',
      () => scaledDotProductAttention(randn([2, 3, 4]), randn([3, 5, 4]), randn([3, 5, 2])),
      ShapeError,
      /scaledDotProductAttention: the batch dims of query, key and value do not broadcast/,
    ],
    [
      'SDPA: a mask that does not broadcast to the scores',
      () =>
        scaledDotProductAttention(randn([3, 4]), randn([5, 4]), randn([5, 2]), {
          attnMask: zeros([3, 4], { dtype: 'bool' }),
        }),
      ShapeError,
      /scaledDotProductAttention: attnMask \[3, 4\] does not broadcast to the scores \[3, 5\] \(\[\.\.\., T, S\]\)/,
    ],
    [
      'SDPA: a 1-d query',
      () => scaledDotProductAttention(randn([4]), randn([5, 4]), randn([5, 2])),
      ShapeError,
      /scaledDotProductAttention: query, key and value need at least 2 dims/,
    ],
    [
      'additive: keys not [B, S, K]',
      () =>
        new AdditiveAttention({ querySize: 3, keySize: 4, hiddenSize: 5 }).forward(
          randn([2, 3]),
          randn([2, 4]),
        ),
      ShapeError,
      /additiveAttention: keys must be \[B, S, K\] \(got \[2, 4\]\)/,
    ],
    [
      'additive: query and keys batch differ',
      () =>
        new AdditiveAttention({ querySize: 3, keySize: 4, hiddenSize: 5 }).forward(
          randn([2, 3]),
          randn([3, 5, 4]),
        ),
      ShapeError,
      /additiveAttention: query and keys must have the same batch size \(query \[2, 3\], keys \[3, 5, 4\]\)/,
    ],
    [
      'luong: a float mask (the hook takes bool, true at real tokens)',
      () =>
        new LuongAttention({ score: 'dot', querySize: 4, keySize: 4 }).forward(
          randn([2, 4]),
          randn([2, 5, 4]),
          zeros([2, 5]),
        ),
      DTypeError,
      /luongAttention: mask must be bool, true at real tokens \(got float32\)/,
    ],
    [
      'luong: a mask of the wrong shape',
      () =>
        new LuongAttention({ score: 'dot', querySize: 4, keySize: 4 }).forward(
          randn([2, 4]),
          randn([2, 5, 4]),
          tensor([true, false]),
        ),
      ShapeError,
      /luongAttention: mask must have shape \[2, 5\] \(got \[2\]\)/,
    ],
    [
      'encoder layer: src width ≠ dModel',
      () => new TransformerEncoderLayer({ dModel: 8, nhead: 2 }).forward(randn([3, 2, 6])),
      ShapeError,
      /transformerEncoderLayer: src must be \[T, B, D\] or unbatched \[T, D\] with D = dModel = 8 \(got \[3, 2, 6\]\)/,
    ],
    [
      'decoder layer: tgt and memory batch differ',
      () => new TransformerDecoderLayer({ dModel: 8, nhead: 2 }).forward(x, randn([4, 3, 8])),
      ShapeError,
      /transformerDecoderLayer: tgt and memory must both be batched with the same batch size, or both unbatched \(tgt \[3, 2, 8\], memory \[4, 3, 8\]\)/,
    ],
    [
      'decoder: tgtMask with a cache',
      () => {
        const decoder = new TransformerDecoder({ dModel: 8, nhead: 2, numLayers: 1 });
        decoder.forward(x.narrow(0, 0, 1), m, { cache: decoder.createCache(), tgtMask: zeros([1, 1]) });
      },
      TensorloomError,
      /transformerDecoderLayer: tgtMask can't be combined with a cache \(cached decoding is causal\)/,
    ],
    [
      'decoder: a cache from a deeper decoder',
      () => {
        const deep = new TransformerDecoder({ dModel: 8, nhead: 2, numLayers: 2 });
        new TransformerDecoder({ dModel: 8, nhead: 2, numLayers: 1 }).forward(x, m, {
          cache: deep.createCache(),
        });
      },
      TensorloomError,
      /transformerDecoder: the cache has 2 layers, the decoder 1/,
    ],
    [
      'transformer: src and tgt batch differ',
      () =>
        new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1 }).forward(
          m,
          randn([3, 5, 8]),
        ),
      ShapeError,
      /transformer: src and tgt must have the same batch size \(src \[4, 2, 8\], tgt \[3, 5, 8\]\)/,
    ],
  ];
  it.each(cases)('%s', (_, fn, type, message) => expectError(fn, type, message));
});
