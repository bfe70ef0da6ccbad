/** @file Errors of the optim package. */
import { TensorloomError } from '@tensorloom/tensor';

/**
 * An invalid optimizer or scheduler setting (a negative lr, betas outside [0, 1), a parameter in two groups),
 * or a state dict that does not fit. Messages name the class and give expected against got.
 */
export class OptimError extends TensorloomError {
  override name = 'OptimError';
}
