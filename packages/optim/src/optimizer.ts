/**
 * @file The Optimizer base class: parameter groups with per-group hyperparameters, lazily created
 * per-parameter state, zeroGrad, and state dicts in PyTorch's structure. Subclasses supply one update rule.
 */
import { enableGrad, type NestedArray, noGrad, Tensor, tensor } from '@tensorloom/tensor';
import { OptimError } from './errors.js';

/** Hyperparameters every optimizer has. Schedulers read and write `lr`. */
export interface OptimizerOptions {
  lr: number;
}

/** A parameter group: its tensors and its own value of every hyperparameter. */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = O & {
  params: Tensor[];
  /** The lr before any scheduler changed it, set by the first scheduler attached (PyTorch's initial_lr). */
  initialLr?: number;
};

/** A group as passed in: its tensors and any hyperparameters that override the optimizer's defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: readonly Tensor[]; initialLr?: number };

/** What optimizers accept: a flat list of parameters (one group), or a list of groups. */
export type Params<O> = readonly Tensor[] | readonly ParamGroupInput<O>[];

/** A per-parameter state entry: buffers are tensors, counters numbers, absent buffers null. */
export type StateValue = Tensor | number | null;

/**
 * PyTorch's optimizer state dict: `state` maps a parameter's index (counting through the groups in order) to
 * its state; `paramGroups` holds each group's hyperparameters with `params` as those indices.
 */
export interface OptimizerStateDict<O extends OptimizerOptions = OptimizerOptions, S = object> {
  state: Record<number, S>;
  paramGroups: (O & { params: number[]; initialLr?: number })[];
}

/**
 * What loadStateDict accepts: a state dict from stateDict(), or the same structure after a JSON round trip,
 * where buffers are (nested) number arrays instead of tensors, or PyTorch's own optimizer state dict in that JSON
 * form, with its spelling (`param_groups`, `exp_avg_sq`, `weight_decay`, …; see loadStateDict).
 */
export type LoadableStateDict = SavedStateDict | TorchSavedStateDict;

/** A state dict in this package's spelling, as stateDict() gives it (buffers as tensors or nested arrays). */
interface SavedStateDict {
  state: Readonly<Record<string | number, object>>;
  paramGroups: readonly { readonly params: readonly number[] }[];
}

/** PyTorch's optimizer.state_dict() in JSON form: the same structure in snake_case. */
interface TorchSavedStateDict {
  state: Readonly<Record<string | number, object>>;
  param_groups: readonly { readonly params: readonly number[] }[];
}

/** Group keys of PyTorch's optimizers that pick an implementation and leave the update unchanged: not loaded. */
const torchImplementationFlags = new Set(['foreach', 'capturable', 'differentiable', 'fused']);

/** PyTorch's snake_case key (exp_avg_sq, weight_decay, initial_lr) in this package's camelCase. */
const camelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The state dict with PyTorch's spelling translated; one in this package's spelling comes back unchanged. */
function ownSpelling(stateDict: LoadableStateDict): SavedStateDict {
  if (!('param_groups' in stateDict)) return stateDict; // malformed ones are reported by loadStateDict
  const renamed = (entry: object, drop: Set<string> | null) =>
    Object.fromEntries(
      Object.entries(entry)
        .filter(([key]) => !drop?.has(key))
        .map(([key, value]) => [camelCase(key), value]),
    );
  return {
    state: Object.fromEntries(
      Object.entries(stateDict.state).map(([key, entry]) => [key, renamed(entry, null)]),
    ),
    paramGroups: stateDict.param_groups.map(
      (group) => renamed(group, torchImplementationFlags) as { params: readonly number[] },
    ),
  };
}

const copyValue = <T>(v: T): T => (Array.isArray(v) ? ([...v] as T) : v);

function copyOptions(group: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(group)) if (key !== 'params') out[key] = copyValue(value);
  return out;
}

const formatShape = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/**
 * The base of every optimizer, following torch.optim.Optimizer: `paramGroups` (each with a mutable `lr`, which
 * schedulers set), `step()`, `zeroGrad()`, `stateDict()`/`loadStateDict()` and `addParamGroup()`. Parameters whose
 * `.grad` is null are skipped by `step()`. A subclass gives its name and defaults, checks a group's options,
 * creates a parameter's state, and updates a parameter from its gradient: either in place itself (the built-in
 * optimizers' fused loops, see kernels.ts) or by returning the new value, which the base writes into the
 * parameter in place (`copy_` under `noGrad`). Either way tensors held by a model see the update.
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends object = object> {
  /** The hyperparameters groups fall back to. */
  readonly defaults: Readonly<O>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step (PyTorch's `optimizer.state`). */
  readonly state = new Map<Tensor, S>();
  /** The class name, used in error messages. */
  readonly name: string;

  protected constructor(name: string, params: Params<O>, defaults: O) {
    this.name = name;
    this.defaults = { ...defaults };
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new OptimError(`${name}: got an empty parameter list`);
    const tensors = list.filter((p) => p instanceof Tensor);
    if (tensors.length > 0 && tensors.length < list.length) {
      throw new OptimError(`${name}: params must be all tensors or all parameter groups, not a mix`);
    }
    const groups = tensors.length > 0 ? [{ params: tensors } as unknown as ParamGroupInput<O>] : list;
    for (const group of groups as ParamGroupInput<O>[]) this.addParamGroup(group);
  }

  /** Checks a group's hyperparameters; throws an OptimError. Called before the subclass's fields are set. */
  protected abstract validate(group: ParamGroup<O>): void;

  /** A parameter's state before its first step. */
  protected abstract initState(param: Tensor, group: ParamGroup<O>): S;

  /**
   * One step for one parameter: updates `state` and returns the parameter's new value, or null when it has
   * written the new value into the parameter's storage itself. Runs under noGrad; the gradient is non-null and
   * has the parameter's shape.
   */
  protected abstract update(param: Tensor, grad: Tensor, state: S, group: ParamGroup<O>): Tensor | null;

  /**
   * Adds a group of parameters with its own hyperparameters (missing ones come from the defaults), e.g. to
   * unfreeze layers during fine-tuning. A parameter may belong to one group only.
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const g = this.paramGroups.length;
    if (typeof group !== 'object' || group === null || !Array.isArray(group.params)) {
      throw new OptimError(`${this.name}: a parameter group must be an object with a params array`);
    }
    const params = [...group.params];
    if (params.length === 0) throw new OptimError(`${this.name}: parameter group ${g} has no params`);
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      const where = `param ${i} of group ${g}`;
      if (!(p instanceof Tensor))
        throw new OptimError(`${this.name}: ${where} is not a Tensor (got ${typeof p})`);
      if (!p.isLeaf) {
        throw new OptimError(`${this.name}: can't optimize a non-leaf tensor (${where}); pass the leaf`);
      }
      if (p.dtype !== 'float32' && p.dtype !== 'float64') {
        throw new OptimError(`${this.name}: ${where} must be float32 or float64 (got ${p.dtype})`);
      }
      if (seen.has(p)) throw new OptimError(`${this.name}: ${where} appears twice in the group`);
      seen.add(p);
      const other = this.paramGroups.findIndex((h) => h.params.includes(p));
      if (other !== -1) {
        throw new OptimError(
          `${this.name}: some parameters appear in more than one parameter group (${where} is already in group ${other})`,
        );
      }
    });
    const overrides = Object.fromEntries(
      Object.entries(group).filter(([key, value]) => key !== 'params' && value !== undefined),
    );
    const merged = { ...copyOptions(this.defaults), ...copyOptions(overrides), params } as ParamGroup<O>;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /**
   * Updates every parameter that has a gradient. With a closure (which recomputes the loss and calls backward),
   * the closure runs first with grad recording on and its result is returned, as in PyTorch.
   */
  step(): void;
  step<T>(closure: () => T): T;
  step<T>(closure?: () => T): T | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          const grad = param.grad;
          if (grad === null) continue;
          if (grad.shape.length !== param.shape.length || grad.shape.some((d, i) => d !== param.shape[i])) {
            throw new OptimError(
              `${this.name}.step: grad shape ${formatShape(grad.shape)} does not match param shape ${formatShape(param.shape)}`,
            );
          }
          let state = this.state.get(param);
          if (state === undefined) {
            state = this.initState(param, group);
            this.state.set(param, state);
          }
          const next = this.update(param, grad, state, group);
          if (next !== null) param.copy_(next);
        }
      }
    });
    return loss;
  }

  /**
   * Clears every parameter's gradient: sets it to null (the default, PyTorch's set_to_none=True), or with
   * `setToNone = false` fills it with zeros in place.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (setToNone) p.grad = null;
        else if (grad.isContiguous()) grad.data.fill(0, grad.offset, grad.offset + grad.size);
        else noGrad(() => grad.zero_());
      }
    }
  }

  /**
   * A snapshot of the optimizer: per-parameter state (buffers cloned, so later steps do not change it) and
   * every group's hyperparameters, in PyTorch's structure (see OptimizerStateDict). Buffers are tensors;
   * for JSON, replace them with `toArray()` (loadStateDict accepts nested arrays back).
   */
  stateDict(): OptimizerStateDict<O, S> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const params = group.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return { ...copyOptions(group), params } as O & { params: number[]; initialLr?: number };
    });
    const state: Record<number, S> = {};
    for (const [param, entry] of this.state) {
      const i = index.get(param);
      if (i === undefined) continue;
      const copy: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(entry))
        copy[key] = value instanceof Tensor ? value.clone() : value;
      state[i] = copy as S;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from stateDict() (or its JSON form), so that training resumes exactly: groups take
   * the saved hyperparameters (including lr and initialLr), parameters take the saved state by position. The
   * optimizer must have the same number of groups and of parameters per group.
   *
   * PyTorch's `optimizer.state_dict()` loads too, once its tensors are lists (JSON): its snake_case keys are read
   * as this package's camelCase ones (`exp_avg_sq` → `expAvgSq`, `weight_decay` → `weightDecay`), a one-element
   * `step` tensor as a number, and the flags that only choose PyTorch's implementation (`foreach`, `capturable`,
   * `differentiable`, `fused`) are dropped.
   * @example opt.loadStateDict(JSON.parse(readFileSync('torch_adam_state.json', 'utf8')));
   */
  loadStateDict(loaded: LoadableStateDict): void {
    const owner = `${this.name}.loadStateDict`;
    const stateDict = ownSpelling(loaded);
    const saved = stateDict.paramGroups;
    const count = Array.isArray(saved as unknown) ? saved.length : typeof saved;
    if (count !== this.paramGroups.length) {
      throw new OptimError(`${owner}: expected ${this.paramGroups.length} parameter groups, got ${count}`);
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((group, g) => {
      const mine = this.paramGroups[g].params;
      if (group.params.length !== mine.length) {
        throw new OptimError(
          `${owner}: parameter group ${g} has ${mine.length} params, the state dict's has ${group.params.length}`,
        );
      }
      group.params.forEach((index, i) => {
        byIndex.set(index, mine[i]);
      });
    });
    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const param = byIndex.get(Number(key));
      if (param === undefined) throw new OptimError(`${owner}: state for param ${key}, which no group lists`);
      state.set(param, this.restoreEntry(owner, key, param, entry));
    }
    const groups = saved.map((group, g) => {
      const merged = {
        ...copyOptions(this.defaults),
        ...copyOptions(group),
        params: this.paramGroups[g].params,
      } as ParamGroup<O>;
      this.validate(merged);
      return merged;
    });
    groups.forEach((group, g) => {
      this.paramGroups[g] = group;
    });
    this.state.clear();
    for (const [param, entry] of state) this.state.set(param, entry);
  }

  /** A saved state entry as tensors of the parameter's dtype and shape (copies, never the caller's tensors). */
  private restoreEntry(owner: string, key: string, param: Tensor, entry: object): S {
    const out: Record<string, StateValue> = {};
    for (const [name, value] of Object.entries(entry)) {
      if (value === null || typeof value === 'number') {
        out[name] = value;
        continue;
      }
      if (name === 'step') {
        out[name] = stepCount(owner, key, value);
        continue;
      }
      if (!(value instanceof Tensor) && !Array.isArray(value)) {
        throw new OptimError(`${owner}: state ${key}.${name} must be a tensor, an array, a number or null`);
      }
      const t =
        value instanceof Tensor
          ? value.to(param.dtype)
          : tensor(value as NestedArray, { dtype: param.dtype });
      if (t.size !== param.size) {
        throw new OptimError(
          `${owner}: state ${key}.${name} has ${t.size} elements, expected ${param.size} (param shape ${formatShape(param.shape)})`,
        );
      }
      out[name] = noGrad(() => t.reshape(param.shape).clone());
    }
    return out as S;
  }
}

/** A saved step count: a number, or a one-element tensor or array (PyTorch keeps `step` as a tensor). */
function stepCount(owner: string, key: string, value: unknown): number {
  const values =
    value instanceof Tensor
      ? Array.from(value.dataSync())
      : Array.isArray(value)
        ? value.flat(Infinity)
        : null;
  if (values?.length !== 1 || typeof values[0] !== 'number') {
    throw new OptimError(`${owner}: state ${key}.step must be a number or a one-element tensor`);
  }
  return values[0];
}
