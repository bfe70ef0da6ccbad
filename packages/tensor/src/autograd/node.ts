/** @file A recorded op in the graph: its inputs and the rule that maps the output's gradient to theirs. */
import type { Tensor } from '../tensor.js';

export interface GradNode {
  /** The primitive's name, for error messages and debugging (`gradFn.name`, like PyTorch's `grad_fn`). */
  readonly name: string;
  /** Emptied when the graph is released after backward(). */
  inputs: readonly Tensor[];
  /** What the primitive recorded (dims, indices, …); backward reads a slice's position from it. */
  readonly params?: unknown;
  /** null once released: a second backward through it is an error unless retainGraph was set. */
  backward: ((grad: Tensor) => readonly (Tensor | null)[]) | null;
}
