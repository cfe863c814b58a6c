/**
 * Moving tensors between backends.
 */
import { findBackend } from '../backend';
import { Tensor } from '../tensor';
import { checkTensor, wrapStorage } from './internal';

/**
 * A copy of `x` on another backend (or `x` itself when already there).
 *
 * @example
 * const onGpu = x.to('gpu');
 */
export function to(x: Tensor, backendName: string): Tensor {
  checkTensor('to', 'x', x);
  const target = findBackend(backendName);
  if (target === x.backend) return x;
  const values = x.dataSync();
  return wrapStorage(target, target.upload(values, x.dtype), x.shape, x.dtype);
}

declare module '../tensor' {
  interface Tensor {
    to(backendName: string): Tensor;
  }
}
Tensor.prototype.to = function (this: Tensor, backendName: string) {
  return to(this, backendName);
};
