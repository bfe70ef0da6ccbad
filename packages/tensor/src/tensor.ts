/**
 * @file The Tensor: a strided view of typed-array storage, plus its place in the autograd graph. Methods are
 * thin forwards to the op functions, which validate, dispatch to the backend and record the graph.
 */

import { backward } from './autograd/backward.js';
import type { GradNode } from './autograd/node.js';
import type { StridedArray } from './backend/backend.js';
import { type DType, dtypeOfArray, isFloating, type TypedArray } from './dtype.js';
import { AutogradError, DTypeError } from './errors.js';
import * as activations from './ops/activations.js';
import * as elementwise from './ops/elementwise.js';
import * as indexing from './ops/indexing.js';
import * as join from './ops/join.js';
import * as linalg from './ops/matmul.js';
import * as movement from './ops/movement.js';
import * as reduce from './ops/reduce.js';
import type { Generator } from './random.js';
import { contiguousStrides, formatShape, isContiguous, type Shape, sizeOf } from './shape.js';

export type Scalar = number | boolean;
export type NestedArray = Scalar | readonly NestedArray[];
/** An operand that may be a tensor or a plain number (wrapped as a 0-d tensor). */
export type TensorLike = Tensor | number | boolean;

export class Tensor implements StridedArray {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** The accumulated gradient of a leaf (or of a non-leaf after retainGrad()). */
  grad: Tensor | null = null;
  private gradFnNode: GradNode | null = null;
  private needsGrad = false;
  private keepsGrad = false;

  /** Wraps storage without copying. Most code wants `tensor()`, `zeros()`, … instead. */
  constructor(data: TypedArray, shape: Shape, strides?: readonly number[], offset = 0) {
    this.data = data;
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.dtype = dtypeOfArray(data);
  }

  // ---- Metadata -------------------------------------------------------------------------------------------

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements (PyTorch's numel()). */
  get size(): number {
    return sizeOf(this.shape);
  }

  numel(): number {
    return this.size;
  }

  dim(): number {
    return this.shape.length;
  }

  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- Autograd -------------------------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return this.needsGrad;
  }

  /** The node that produced this tensor, or null for a leaf. */
  get gradFn(): GradNode | null {
    return this.gradFnNode;
  }

  get isLeaf(): boolean {
    return this.gradFnNode === null;
  }

  /** Whether a non-leaf keeps its .grad after backward (see retainGrad). */
  get retainsGrad(): boolean {
    return this.keepsGrad;
  }

  /** Marks a leaf as needing gradients (in place, like PyTorch's requires_grad_). */
  requiresGrad_(requiresGrad = true): this {
    if (!this.isLeaf) {
      throw new AutogradError(
        'requiresGrad_: only leaf tensors can change requiresGrad; use detach() for a non-leaf',
      );
    }
    if (requiresGrad && !isFloating(this.dtype)) {
      throw new DTypeError(
        `requiresGrad_: only floating-point tensors can require gradients (got ${this.dtype})`,
      );
    }
    this.needsGrad = requiresGrad;
    return this;
  }

  /** Keeps .grad on this non-leaf after backward(). */
  retainGrad(): this {
    if (!this.needsGrad)
      throw new AutogradError("retainGrad: can't retain grad on a tensor that doesn't require grad");
    if (!this.isLeaf) this.keepsGrad = true;
    return this;
  }

  /** Computes gradients of this tensor with respect to every leaf that requires them, accumulating into .grad. */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    backward(this, gradient, options);
  }

  /** A tensor sharing this storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.strides, this.offset);
  }

  /** @internal Called by the op layer when it records this tensor's producing primitive. */
  _attachGradFn(node: GradNode): void {
    this.gradFnNode = node;
    this.needsGrad = true;
  }

  // ---- In-place writes (parameter updates, loading weights) -------------------------------------------------

  /**
   * Copies src's values into this tensor's storage (src broadcasts to this shape; dtypes convert), like
   * PyTorch's copy_. Meant for parameter updates and loading weights: it refuses to write into a tensor that
   * requires grad while the graph is being recorded, since a recorded op may have saved the old values.
   */
  copy_(src: TensorLike): this {
    return movement.assign(this, src);
  }

  /** Fills this tensor's storage with `value` (see copy_ for when in-place writes are allowed). */
  fill_(value: number | boolean): this {
    return movement.assign(this, value);
  }

  zero_(): this {
    return movement.assign(this, 0);
  }

  // ---- Reading values -------------------------------------------------------------------------------------

  /** The elements as a new contiguous row-major typed array. */
  dataSync(): TypedArray {
    return movement.contiguousData(this);
  }

  /** Nested arrays of numbers (booleans for bool tensors), like PyTorch's tolist(). */
  toArray(): NestedArray {
    const flat = this.dataSync();
    const isBool = this.dtype === 'bool';
    const build = (dim: number, start: number): NestedArray => {
      if (dim === this.shape.length) return isBool ? flat[start] !== 0 : flat[start];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, start + i * step));
    };
    return build(0, 0);
  }

  tolist(): NestedArray {
    return this.toArray();
  }

  /** The single element of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new DTypeError(
        `item: only one-element tensors can be converted to a number (got ${formatShape(this.shape)})`,
      );
    }
    return this.dataSync()[0];
  }

  // ---- Elementwise ----------------------------------------------------------------------------------------

  add(other: TensorLike): Tensor {
    return elementwise.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return elementwise.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return elementwise.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return elementwise.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return elementwise.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return elementwise.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return elementwise.minimum(this, other);
  }
  neg(): Tensor {
    return elementwise.neg(this);
  }
  exp(): Tensor {
    return elementwise.exp(this);
  }
  log(): Tensor {
    return elementwise.log(this);
  }
  sqrt(): Tensor {
    return elementwise.sqrt(this);
  }
  rsqrt(): Tensor {
    return elementwise.rsqrt(this);
  }
  square(): Tensor {
    return elementwise.square(this);
  }
  abs(): Tensor {
    return elementwise.abs(this);
  }
  sin(): Tensor {
    return elementwise.sin(this);
  }
  cos(): Tensor {
    return elementwise.cos(this);
  }
  tanh(): Tensor {
    return elementwise.tanh(this);
  }
  sigmoid(): Tensor {
    return elementwise.sigmoid(this);
  }
  relu(): Tensor {
    return elementwise.relu(this);
  }
  erf(): Tensor {
    return elementwise.erf(this);
  }
  sign(): Tensor {
    return elementwise.sign(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return elementwise.clamp(this, min, max);
  }
  gelu(options?: { approximate?: 'none' | 'tanh' }): Tensor {
    return activations.gelu(this, options);
  }
  softmax(dim: number): Tensor {
    return activations.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return activations.logSoftmax(this, dim);
  }
  dropout(options?: activations.DropoutOptions): Tensor {
    return activations.dropout(this, options);
  }
  eq(other: TensorLike): Tensor {
    return elementwise.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return elementwise.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return elementwise.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return elementwise.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return elementwise.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return elementwise.ge(this, other);
  }
  logicalAnd(other: TensorLike): Tensor {
    return elementwise.logicalAnd(this, other);
  }
  logicalOr(other: TensorLike): Tensor {
    return elementwise.logicalOr(this, other);
  }
  logicalXor(other: TensorLike): Tensor {
    return elementwise.logicalXor(this, other);
  }
  logicalNot(): Tensor {
    return elementwise.logicalNot(this);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return elementwise.maskedFill(this, mask, value);
  }
  where(condition: Tensor, other: TensorLike): Tensor {
    return elementwise.where(condition, this, other);
  }

  // ---- Reductions -----------------------------------------------------------------------------------------

  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return reduce.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return reduce.mean(this, dim, keepdim);
  }
  var(dim?: number | readonly number[] | null, options?: reduce.VarianceOptions): Tensor {
    return reduce.variance(this, dim, options);
  }
  std(dim?: number | readonly number[] | null, options?: reduce.VarianceOptions): Tensor {
    return reduce.std(this, dim, options);
  }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): [values: Tensor, indices: Tensor];
  max(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? reduce.max(this) : reduce.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): [values: Tensor, indices: Tensor];
  min(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? reduce.min(this) : reduce.min(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return reduce.amax(this, dim, keepdim);
  }
  amin(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return reduce.amin(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return reduce.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return reduce.argmin(this, dim, keepdim);
  }

  // ---- Linear algebra -------------------------------------------------------------------------------------

  matmul(other: Tensor): Tensor {
    return linalg.matmul(this, other);
  }

  // ---- Shape and views ------------------------------------------------------------------------------------

  reshape(shape: readonly number[]): Tensor {
    return movement.reshape(this, shape);
  }
  view(shape: readonly number[]): Tensor {
    return movement.view(this, shape);
  }
  permute(dims: readonly number[]): Tensor {
    return movement.permute(this, dims);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return movement.transpose(this, dim0, dim1);
  }
  /** The transpose of a 2-D tensor (PyTorch's .t()). */
  t(): Tensor {
    return movement.t(this);
  }
  /** The last two dims swapped (PyTorch's .mT). */
  get mT(): Tensor {
    return movement.transpose(this, -2, -1);
  }
  expand(shape: readonly number[]): Tensor {
    return movement.expand(this, shape);
  }
  expandAs(other: Tensor): Tensor {
    return movement.expand(this, other.shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return movement.flatten(this, startDim, endDim);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return movement.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return movement.unsqueeze(this, dim);
  }
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return movement.slice(this, dim, start, end, step);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return movement.narrow(this, dim, start, length);
  }
  /** The sub-tensor at `index` along dim 0 (or `dim`), with that dim removed, like x[i] in PyTorch. */
  select(dim: number, index: number): Tensor {
    return movement.select(this, dim, index);
  }
  contiguous(): Tensor {
    return movement.contiguous(this);
  }
  clone(): Tensor {
    return movement.clone(this);
  }
  /** A copy (or this tensor, if it already has the dtype) converted to `dtype`. */
  to(dtype: DType): Tensor {
    return movement.cast(this, dtype);
  }
  float(): Tensor {
    return movement.cast(this, 'float32');
  }
  double(): Tensor {
    return movement.cast(this, 'float64');
  }
  int(): Tensor {
    return movement.cast(this, 'int32');
  }
  bool(): Tensor {
    return movement.cast(this, 'bool');
  }
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return join.split(this, sizeOrSections, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return join.chunk(this, chunks, dim);
  }

  // ---- Indexing -------------------------------------------------------------------------------------------

  indexSelect(dim: number, index: Tensor): Tensor {
    return indexing.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return indexing.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexing.scatterAdd(this, dim, index, src);
  }
  indexAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexing.indexAdd(this, dim, index, src);
  }
  tril(diagonal = 0): Tensor {
    return indexing.tril(this, diagonal);
  }
  triu(diagonal = 0): Tensor {
    return indexing.triu(this, diagonal);
  }
}

export type { Generator };
