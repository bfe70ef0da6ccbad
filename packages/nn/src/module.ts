/**
 * @file The Module base class: explicit, validated registration of parameters, buffers and submodules, with
 * PyTorch's dotted names, train/eval mode over the tree, and state dicts whose keys are PyTorch's.
 */
import { noGrad, type Tensor } from '@tensorloom/tensor';
import { ModuleError, StateDictError } from './errors.js';

/** Parameter and persistent-buffer tensors by dotted name, in registration order (PyTorch's state_dict). */
export type StateDict = Record<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

interface BufferEntry {
  tensor: Tensor;
  persistent: boolean;
}

export abstract class Module {
  /** Training mode (dropout active, …); set for the whole tree with train() and eval(). */
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, BufferEntry>();
  private readonly ownModules = new Map<string, Module>();

  abstract forward(...inputs: any[]): any;

  // ---- Registration ---------------------------------------------------------------------------------------

  private checkName(kind: string, name: string): void {
    if (typeof name !== 'string' || name.length === 0)
      throw new ModuleError(`${kind} name must be a non-empty string`);
    if (name.includes('.')) throw new ModuleError(`${kind} name can't contain "." (got '${name}')`);
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.ownModules.has(name)) {
      throw new ModuleError(`${kind} '${name}' is already registered on ${this.constructor.name}`);
    }
  }

  /** Registers a trainable tensor under `name` (made a leaf that requires grad) and returns it. */
  protected param(name: string, tensor: Tensor): Tensor {
    this.checkName('parameter', name);
    const leaf = tensor.isLeaf ? tensor : tensor.detach();
    if (!leaf.requiresGrad) leaf.requiresGrad_(true);
    this.ownParameters.set(name, leaf);
    return leaf;
  }

  /** Registers a non-trainable tensor (running statistics, fixed tables). Non-persistent ones stay out of state dicts. */
  protected buffer(name: string, tensor: Tensor, options: { persistent?: boolean } = {}): Tensor {
    this.checkName('buffer', name);
    this.ownBuffers.set(name, { tensor, persistent: options.persistent ?? true });
    return tensor;
  }

  /** Registers a submodule under `name` and returns it. */
  protected module<M extends Module>(name: string, module: M): M {
    this.checkName('module', name);
    if (!(module instanceof Module)) throw new ModuleError(`module '${name}' must be a Module`);
    this.ownModules.set(name, module);
    return module;
  }

  // ---- Traversal ------------------------------------------------------------------------------------------

  /** [name, module] for the direct submodules. */
  namedChildren(): [string, Module][] {
    return [...this.ownModules];
  }

  children(): Module[] {
    return [...this.ownModules.values()];
  }

  /** [dotted name, module] for this module ('' ) and every descendant, depth first, each module once. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const stack: [string, Module][] = [[prefix, this]];
    while (stack.length > 0) {
      const [name, module] = stack.pop() as [string, Module];
      if (seen.has(module)) continue;
      seen.add(module);
      out.push([name, module]);
      const children = [...module.ownModules].reverse();
      for (const [childName, child] of children)
        stack.push([name ? `${name}.${childName}` : childName, child]);
    }
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** [dotted name, parameter] over the tree (PyTorch's names, e.g. 'encoder.layers.0.linear1.weight'); shared tensors once. */
  namedParameters(): [string, Tensor][] {
    return this.collect((m) => [...m.ownParameters]);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    return this.collect((m) => [...m.ownBuffers].map(([n, b]) => [n, b.tensor] as [string, Tensor]));
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  private collect(own: (m: Module) => [string, Tensor][]): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, tensor] of own(module)) {
        if (seen.has(tensor)) continue;
        seen.add(tensor);
        out.push([prefix ? `${prefix}.${name}` : name, tensor]);
      }
    }
    return out;
  }

  /** Number of parameter elements (trainable ones only, if asked). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !options.trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.size, 0);
  }

  /** Calls fn on every submodule (children first) and then on this module, like PyTorch's apply. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.ownModules.values()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- Modes and gradients --------------------------------------------------------------------------------

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const module of this.modules()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets it to null, PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  // ---- State dicts ----------------------------------------------------------------------------------------

  /** Parameters and persistent buffers by PyTorch's dotted names; the tensors share this module's storage. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, module] of this.namedModules()) {
      const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of module.ownParameters) out[at(name)] ??= p.detach();
      for (const [name, b] of module.ownBuffers) if (b.persistent) out[at(name)] ??= b.tensor.detach();
    }
    return out;
  }

  /**
   * Copies a state dict's values into this module's tensors (in place, so optimizers keep their references).
   * Everything is checked before anything is written: a mis-shaped key, or with `strict` (the default) a
   * missing or unexpected key, throws a StateDictError listing all problems and leaves the module unchanged.
   */
  loadStateDict(stateDict: StateDict, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    const targets = this.stateDict();
    const missingKeys = Object.keys(targets).filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in targets));
    const problems: string[] = [];
    for (const [key, value] of Object.entries(stateDict)) {
      const target = targets[key];
      if (!target) continue;
      const same =
        value.shape.length === target.shape.length && value.shape.every((d, i) => d === target.shape[i]);
      if (!same) {
        problems.push(
          `size mismatch for ${key}: copying a param with shape [${value.shape.join(', ')}], the shape in current model is [${target.shape.join(', ')}]`,
        );
      }
    }
    if (strict && missingKeys.length > 0)
      problems.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}`);
    if (strict && unexpectedKeys.length > 0) {
      problems.splice(
        missingKeys.length > 0 ? 1 : 0,
        0,
        `Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`,
      );
    }
    if (problems.length > 0) {
      throw new StateDictError(
        `loadStateDict: error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join('\n\t')}`,
      );
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(targets)) if (key in stateDict) target.copy_(stateDict[key]);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- Printing -------------------------------------------------------------------------------------------

  /** A one-line summary of this module's own settings, shown by toString() (PyTorch's extra_repr). */
  protected extraRepr(): string {
    return '';
  }

  /** The module tree, as PyTorch prints it. */
  toString(): string {
    const children = [...this.ownModules].map(
      ([name, child]) => `  (${name}): ${child.toString().split('\n').join('\n  ')}`,
    );
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    return children.length === 0 ? `${head})` : `${head}\n${children.join('\n')}\n)`;
  }
}
