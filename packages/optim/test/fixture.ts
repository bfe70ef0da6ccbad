/**
 * The PyTorch reference cases in fixtures/optim.json, written by tools/reference/generate_optim.py (format in
 * tools/reference/README.md), and helpers to turn them into tensors.
 */
import { readFileSync } from 'node:fs';
import { Adagrad, Adam, AdamW, type Optimizer, RMSprop, SGD } from '@tensorloom/optim';
import { type Tensor, tensor } from '@tensorloom/tensor';

/** Non-finite floats are written as the strings "Infinity", "-Infinity" and "NaN". */
export type Num = number | string;

export interface TensorSpec {
  shape: number[];
  data: Num[];
}

export interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  groups?: ({ params: number[] } & Record<string, unknown>)[];
  params: TensorSpec[];
  steps: { grads: (TensorSpec | null)[]; params: TensorSpec[] }[];
}

export interface ClipCase {
  name: string;
  fn: 'clipGradNorm' | 'clipGradValue';
  args: { maxNorm?: number; normType?: Num; clipValue?: number };
  grads: (TensorSpec | null)[];
  totalNorm?: Num;
  clipped: (TensorSpec | null)[];
}

export interface SchedulerSpec {
  type: string;
  options?: Record<string, unknown>;
  schedulers?: SchedulerSpec[];
  milestones?: number[];
  lambdas?: string | string[];
}

export interface SchedulerCase {
  name: string;
  lrs0: number[];
  scheduler: SchedulerSpec;
  metrics?: number[];
  /** lrs[0]: after construction; lrs[k]: after the k-th step. */
  lrs: Num[][];
}

/** PyTorch trained a few steps and saved opt.state_dict() (JSON form); the test resumes from it. */
export interface StateDictCase {
  name: string;
  optimizer: OptimizerCase['optimizer'];
  options: Record<string, unknown>;
  /** PyTorch's parameters when it saved the state dict. */
  params: TensorSpec[];
  torchStateDict: { state: Record<string, object>; param_groups: ({ params: number[] } & object)[] };
  /** The steps PyTorch took after saving. */
  steps: OptimizerCase['steps'];
}

export interface Fixture {
  generator: string;
  torch: string;
  seed: number;
  optimizers: OptimizerCase[];
  clipping: ClipCase[];
  schedulers: SchedulerCase[];
  stateDicts: StateDictCase[];
}

export const fixture: Fixture = JSON.parse(
  readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8'),
) as Fixture;

export const num = (v: Num): number => (typeof v === 'number' ? v : Number(v));

/** A float32 tensor with the spec's exact values. */
export const fromSpec = (spec: TensorSpec, requiresGrad = false): Tensor =>
  tensor(spec.data.map(num), { shape: spec.shape, dtype: 'float32', requiresGrad });

/** The largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The optimizer class each case names. */
export const constructors: Record<OptimizerCase['optimizer'], new (params: any, options: any) => Optimizer> =
  {
    SGD,
    Adam,
    AdamW,
    RMSprop,
    Adagrad,
  };

/** The tolerance every optimizer case is compared with (float32 PyTorch's own values, see the generator). */
export const ATOL = 2e-6;
export const RTOL = 1e-5;
