import {
  Dropout,
  Linear,
  Module,
  ModuleDict,
  ModuleError,
  ModuleList,
  ReLU,
  Sequential,
  StateDictError,
} from '@tensorloom/nn';
import { randn, type Tensor, tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

class Block extends Module {
  readonly linear1: Linear;
  readonly norm: Linear;
  readonly scale: Tensor;

  constructor() {
    super();
    this.linear1 = this.module('linear1', new Linear(2, 3));
    this.norm = this.module('norm', new Linear(3, 3, { bias: false }));
    this.scale = this.buffer('scale', tensor([1, 2, 3], { dtype: 'float32' }));
    this.buffer('cache', zeros([3]), { persistent: false });
  }

  forward(x: Tensor): Tensor {
    return this.norm.forward(this.linear1.forward(x)).mul(this.scale);
  }
}

class Encoder extends Module {
  readonly layers = this.module('layers', new ModuleList([new Block(), new Block()]));
  readonly dropout = this.module('dropout', new Dropout(0.1));

  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h.narrow(-1, 0, 2));
    return this.dropout.forward(h);
  }
}

class Model extends Module {
  readonly encoder = this.module('encoder', new Encoder());

  forward(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }
}

describe('Module', () => {
  it("names parameters with PyTorch's dotted paths, in registration order", () => {
    expect(new Model().namedParameters().map(([name]) => name)).toEqual([
      'encoder.layers.0.linear1.weight',
      'encoder.layers.0.linear1.bias',
      'encoder.layers.0.norm.weight',
      'encoder.layers.1.linear1.weight',
      'encoder.layers.1.linear1.bias',
      'encoder.layers.1.norm.weight',
    ]);
  });

  it('puts parameters and persistent buffers in the state dict, sharing storage', () => {
    const model = new Model();
    const dict = model.stateDict();
    // PyTorch's order: a module's own parameters and buffers, then its children's.
    expect(Object.keys(dict)).toEqual([
      'encoder.layers.0.scale',
      'encoder.layers.0.linear1.weight',
      'encoder.layers.0.linear1.bias',
      'encoder.layers.0.norm.weight',
      'encoder.layers.1.scale',
      'encoder.layers.1.linear1.weight',
      'encoder.layers.1.linear1.bias',
      'encoder.layers.1.norm.weight',
    ]);
    expect(dict['encoder.layers.0.scale'].requiresGrad).toBe(false);
    expect(dict['encoder.layers.0.linear1.weight'].data).toBe(model.encoder.layers.at(0).linear1.weight.data);
    expect(model.namedBuffers().map(([n]) => n)).toContain('encoder.layers.0.cache');
  });

  it('loads a state dict in place and reproduces outputs', () => {
    const a = new Model().eval();
    const b = new Model().eval();
    const weightBefore = b.encoder.layers.at(0).linear1.weight;
    const x = randn([4, 2]);
    expect(a.forward(x).toArray()).not.toEqual(b.forward(x).toArray());
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    expect(b.encoder.layers.at(0).linear1.weight).toBe(weightBefore); // same tensor object, new values
  });

  it('reports missing, unexpected and mis-shaped keys, and writes nothing on error', () => {
    const model = new Linear(2, 3);
    const before = model.weight.toArray();
    const bad = { weight: zeros([3, 2]), extra: zeros([1]) };
    expect(() => model.loadStateDict(bad)).toThrow(StateDictError);
    expect(() => model.loadStateDict(bad)).toThrow(/Missing key\(s\) in state_dict: "bias"/);
    expect(() => model.loadStateDict(bad)).toThrow(/Unexpected key\(s\) in state_dict: "extra"/);
    expect(model.weight.toArray()).toEqual(before);
    expect(() => model.loadStateDict({ weight: zeros([2, 3]), bias: zeros([3]) })).toThrow(
      'size mismatch for weight: copying a param with shape [2, 3], the shape in current model is [3, 2]',
    );
    expect(model.weight.toArray()).toEqual(before);
    expect(model.loadStateDict(bad, { strict: false })).toEqual({
      missingKeys: ['bias'],
      unexpectedKeys: ['extra'],
    });
    expect(model.weight.sum().item()).toBe(0);
  });

  it('validates registration names', () => {
    class Bad extends Module {
      constructor(name: string, twice = false) {
        super();
        this.param(name, zeros([1]));
        if (twice) this.buffer(name, zeros([1]));
      }
      forward(): void {}
    }
    expect(() => new Bad('')).toThrow(ModuleError);
    expect(() => new Bad('a.b')).toThrow(`parameter name can't contain "." (got 'a.b')`);
    expect(() => new Bad('w', true)).toThrow("buffer 'w' is already registered on Bad");
  });

  it('propagates train/eval through the tree', () => {
    const model = new Model();
    model.eval();
    expect(model.modules().every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.encoder.dropout.training).toBe(true);
  });

  it('zeroGrad clears gradients; apply visits children before parents; counts parameters', () => {
    const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    model
      .forward(randn([5, 2]))
      .sum()
      .backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    const visited: string[] = [];
    model.apply((m) => visited.push(m.constructor.name));
    expect(visited).toEqual(['Linear', 'ReLU', 'Linear', 'Sequential']);
    expect(model.numParameters()).toBe(2 * 3 + 3 + 3 + 1);
  });

  it('counts a shared parameter once', () => {
    const shared = new Linear(2, 2);
    const model = new Sequential(shared, shared);
    expect(model.parameters()).toHaveLength(2);
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias']);
  });

  it('ModuleDict looks modules up by name', () => {
    const dict = new ModuleDict({ encoder: new Linear(2, 2), decoder: new Linear(2, 1) });
    expect(dict.keys()).toEqual(['encoder', 'decoder']);
    expect(dict.get('decoder').forward(randn([1, 2])).shape).toEqual([1, 1]);
    expect(Object.keys(dict.stateDict())).toEqual([
      'encoder.weight',
      'encoder.bias',
      'decoder.weight',
      'decoder.bias',
    ]);
    expect(() => dict.get('x')).toThrow("ModuleDict: no module named 'x' (have encoder, decoder)");
  });

  it('prints the tree', () => {
    expect(new Sequential(new Linear(2, 3), new ReLU()).toString()).toBe(
      'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)',
    );
  });
});
