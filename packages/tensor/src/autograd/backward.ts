/**
 * @file Reverse-mode differentiation. The graph is walked with an explicit stack (a 1,000-step unrolled
 * recurrence must not overflow the JS stack), gradients are summed per tensor, and each node is released
 * after use so the graph's memory goes away with backward() unless retainGraph is set.
 */

import { AutogradError } from '../errors.js';
import { matmulGradA } from '../gradients/matmul-grads.js';
import { onesLike } from '../ops/creation.js';
import { contiguous, sliceScatterAdd } from '../ops/movement.js';
import { formatShape, sameShape } from '../shape.js';
import { trackAllocations } from '../storage.js';
import type { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';
import { GradientStorage } from './gradient-storage.js';
import type { GradNode } from './node.js';
import { PendingProducts, sharedRightOperands } from './pending-products.js';

/** Tensors with a grad node reachable from root, parents before children (reverse post-order). */
function topologicalOrder(root: Tensor): Tensor[] {
  const postOrder: Tensor[] = [];
  const visited = new Set<GradNode>();
  const stack: { tensor: Tensor; next: number }[] = [];
  if (root.gradFn) {
    visited.add(root.gradFn);
    stack.push({ tensor: root, next: 0 });
  }
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const node = top.tensor.gradFn as GradNode;
    if (top.next < node.inputs.length) {
      const child = node.inputs[top.next++];
      const childNode = child.gradFn;
      if (childNode && child.requiresGrad && !visited.has(childNode)) {
        visited.add(childNode);
        stack.push({ tensor: child, next: 0 });
      }
    } else {
      stack.pop();
      postOrder.push(top.tensor);
    }
  }
  return postOrder.reverse();
}

function accumulate(target: Tensor, g: Tensor): void {
  // Leaf gradients get their own contiguous storage: a rule may return a stride-0 or shared view. A strided g
  // is copied once by contiguous(); a contiguous window of a larger storage is cloned.
  let owned = g;
  if (!g.isContiguous()) owned = contiguous(g);
  else if (g.offset !== 0 || g.data.length !== g.size) owned = g.clone();
  target.grad = target.grad ? target.grad.add(owned) : owned;
}

interface SliceGrad {
  grad: Tensor;
  dim: number;
  start: number;
  step: number;
}

/**
 * Slice gradients are not scattered one by one: a recurrent layer reads T steps out of one tensor, and T
 * full-size scatters would make backward O(T²). They wait here, per input, and are added into a single zero
 * tensor when that input's turn comes (all its consumers are done by then: the walk is topological).
 */
class PendingSlices {
  private readonly byInput = new Map<Tensor, SliceGrad[]>();

  add(input: Tensor, slice: SliceGrad): void {
    const list = this.byInput.get(input);
    if (list) list.push(slice);
    else this.byInput.set(input, [slice]);
  }

  /** The input's gradient from its slices (null if none), forgetting them. */
  take(input: Tensor): Tensor | null {
    const list = this.byInput.get(input);
    if (!list) return null;
    this.byInput.delete(input);
    return sliceScatterAdd(input.shape, list);
  }

  inputs(): Tensor[] {
    return [...this.byInput.keys()];
  }
}

export function backward(root: Tensor, gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
  if (!root.requiresGrad) {
    throw new AutogradError('backward: the tensor does not require grad and has no gradFn');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new AutogradError(
        `backward: grad can be implicitly created only for scalar outputs (got shape ${formatShape(root.shape)}); pass a gradient`,
      );
    }
    seed = onesLike(root);
  } else {
    if (!sameShape(gradient.shape, root.shape)) {
      throw new AutogradError(
        `backward: gradient shape ${formatShape(gradient.shape)} does not match the output ${formatShape(root.shape)}`,
      );
    }
    seed = gradient.detach();
  }
  noGrad(() => {
    if (root.isLeaf) {
      accumulate(root, seed);
      return;
    }
    trackAllocations((allocated) => walk(root, seed, new GradientStorage(allocated), options.retainGraph));
  });
}

function walk(root: Tensor, seed: Tensor, storage: GradientStorage, retainGraph = false): void {
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const slices = new PendingSlices();
  const order = topologicalOrder(root);
  const products = new PendingProducts(sharedRightOperands(order));
  /** a + b, where a is held and b is new: the sum is held, and the parts are dropped. */
  const sumHeld = (a: Tensor | undefined, b: Tensor | null | undefined): Tensor | undefined => {
    if (!b) return a;
    storage.hold(b);
    if (!a) return b;
    const total = a.add(b);
    storage.hold(total);
    storage.drop(a);
    storage.drop(b);
    return total;
  };
  const deliver = (input: Tensor, gi: Tensor) => {
    if (input.isLeaf) {
      storage.escape(gi);
      accumulate(input, gi);
    } else grads.set(input, sumHeld(grads.get(input), gi) as Tensor);
  };
  for (const tensor of order) {
    const g = sumHeld(sumHeld(grads.get(tensor), slices.take(tensor)), products.take(tensor));
    grads.delete(tensor);
    const node = tensor.gradFn as GradNode;
    if (!g) continue;
    if (tensor.retainsGrad) {
      storage.escape(g);
      accumulate(tensor, g);
    }
    if (!node.backward) {
      throw new AutogradError(
        `backward: trying to backward through the graph a second time (through ${node.name}); its buffers were freed. Pass { retainGraph: true } to the first backward()`,
      );
    }
    if (node.name === 'slice' && node.inputs[0].requiresGrad) {
      storage.escape(g);
      slices.add(node.inputs[0], { grad: g, ...(node.params as Omit<SliceGrad, 'grad'>) });
      release(node, retainGraph);
      continue;
    }
    if (node.name === 'matmul' && products.defers(node)) {
      // ∂A now; ∂B joins the other products sharing B (see PendingProducts).
      const [a, b] = node.inputs;
      storage.escape(g);
      if (a.requiresGrad) deliver(a, matmulGradA(g, a, b));
      products.add(b, a, g);
      release(node, retainGraph);
      continue;
    }
    const inputGrads = node.backward(g);
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (gi && input.requiresGrad) deliver(input, gi);
    });
    storage.drop(g);
    release(node, retainGraph);
  }
  for (const leaf of slices.inputs()) accumulate(leaf, slices.take(leaf) as Tensor);
  for (const leaf of products.inputs()) accumulate(leaf, products.take(leaf) as Tensor);
}

function release(node: GradNode, retainGraph = false): void {
  if (retainGraph) return;
  node.backward = null;
  node.inputs = [];
}
