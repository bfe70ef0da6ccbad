/** @file Errors of the module system. */
import { TensorloomError } from '@tensorloom/tensor';

/** Invalid registration: an empty, dotted or duplicate name. */
export class ModuleError extends TensorloomError {
  override name = 'ModuleError';
}

/** A state dict that does not fit the module: missing, unexpected or mis-shaped keys. */
export class StateDictError extends TensorloomError {
  override name = 'StateDictError';
}
