/**
 * Moving tensors between backends.
 */
import { Tensor } from '../tensor.js';
import { backendOption, checkTensor, wrapStorage } from './internal.js';

/**
 * A copy of `x` on another backend (or `x` itself when already there).
 *
 * @example
 * const onGpu = x.to('gpu');
 */
export function to(x: Tensor, backendName: string): Tensor {
  checkTensor('to', 'x', x);
  // undefined would mean "the current backend" to backendOption; here a name is required.
  const target = backendOption('to', backendName ?? null, 'backendName');
  if (target === x.backend) return x;
  const values = x.dataSync();
  return wrapStorage(target, target.upload(values, x.dtype), x.shape, x.dtype);
}

/**
 * A copy of `x` on another backend (or `x` itself when already there), reading `x` with
 * `await data()`: the way off a backend that reads only asynchronously (`webgpu`), where
 * {@link to} throws.
 *
 * @example
 * const onCpu = await onWebGpu.toAsync('cpu');
 */
export async function toAsync(x: Tensor, backendName: string): Promise<Tensor> {
  checkTensor('toAsync', 'x', x);
  const target = backendOption('toAsync', backendName ?? null, 'backendName');
  if (target === x.backend) return x;
  const values = await x.data();
  return wrapStorage(target, target.upload(values, x.dtype), x.shape, x.dtype);
}

declare module '../tensor.js' {
  interface Tensor {
    to(backendName: string): Tensor;
    toAsync(backendName: string): Promise<Tensor>;
  }
}
Tensor.prototype.to = function (this: Tensor, backendName: string) {
  return to(this, backendName);
};
Tensor.prototype.toAsync = function (this: Tensor, backendName: string) {
  return toAsync(this, backendName);
};
