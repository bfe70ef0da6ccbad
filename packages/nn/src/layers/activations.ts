/** @file Activation functions and dropout as modules, for use in Sequential. */
import { dropout, type Generator, type Tensor, TensorloomError } from '@tensorloom/tensor';
import { Module } from '../module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.gelu({ approximate: this.approximate });
  }

  protected override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
}

/** Passes its input through unchanged (a placeholder in configurable architectures). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Zeroes elements with probability p in training mode (scaling the rest by 1/(1−p)); the identity in eval mode. */
export class Dropout extends Module {
  private readonly generator: Generator | undefined;

  /** `generator` draws the masks (default: the global stream seeded by manualSeed). */
  constructor(
    readonly p = 0.5,
    options: { generator?: Generator } = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new TensorloomError(`dropout: p must be in [0, 1] (got ${p})`);
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, generator: this.generator });
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
