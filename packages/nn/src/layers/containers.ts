/** @file Containers: Sequential, ModuleList and ModuleDict, with PyTorch's key names ('0', '1', …). */
import { IndexError, type Tensor } from '@tensorloom/tensor';
import { Module } from '../module.js';

/** Applies its modules in order, feeding each one's output to the next. */
export class Sequential extends Module {
  private readonly layers: Module[] = [];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => {
      this.layers.push(this.module(String(this.layers.length), m));
    });
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }

  get length(): number {
    return this.layers.length;
  }

  at(index: number): Module {
    const m = this.layers.at(index);
    if (!m)
      throw new IndexError(`Sequential: index ${index} is out of range for ${this.layers.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }
}

/** A list of submodules registered under '0', '1', …; it has no forward of its own. */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(module: M): this {
    this.items.push(this.module(String(this.items.length), module));
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(index: number): M {
    const m = this.items.at(index);
    if (!m)
      throw new IndexError(`ModuleList: index ${index} is out of range for ${this.items.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }

  forward(): never {
    throw new IndexError('ModuleList: has no forward; iterate over its modules instead');
  }
}

/** Submodules by name; it has no forward of its own. */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly items = new Map<string, M>();

  constructor(modules: Record<string, M> = {}) {
    super();
    for (const [name, m] of Object.entries(modules)) this.set(name, m);
  }

  set(name: string, module: M): this {
    this.items.set(name, this.module(name, module));
    return this;
  }

  get(name: string): M {
    const m = this.items.get(name);
    if (!m)
      throw new IndexError(
        `ModuleDict: no module named '${name}' (have ${[...this.items.keys()].join(', ')})`,
      );
    return m;
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  entries(): [string, M][] {
    return [...this.items];
  }

  forward(): never {
    throw new IndexError('ModuleDict: has no forward; look up its modules instead');
  }
}
