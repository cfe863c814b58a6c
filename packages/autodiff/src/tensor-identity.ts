/**
 * Small helpers about tensor identity: creation order, aliases, and describing tensors in
 * error messages.
 */
import { expand, formatShape, isTensor, zeros, type Tensor } from '@vane/tensor';

/**
 * The id the next tensor will get. Tensor ids grow with creation order, so a tensor with an
 * id at least this large was created after this call; tapes use that to tell their own
 * intermediates from the caller's tensors (which they must never dispose).
 */
export function nextTensorId(): number {
  const probe = zeros([0]);
  probe.dispose();
  return probe.id + 1;
}

/**
 * A new tensor object sharing `x`'s storage, shape and strides (an identity `expand` view):
 * recorded like any op, so gradients flow through it when something is recording.
 */
export function alias(x: Tensor): Tensor {
  return expand(x, x.shape);
}

/** `a float32 tensor of shape [2,3]` (or `an int32 ...`), for error messages. */
export function describeTensor(x: Tensor): string {
  return `${x.dtype === 'int32' ? 'an' : 'a'} ${x.dtype} tensor of shape ${formatShape(x.shape)}`;
}

/** A short description of any value, for error messages. */
export function describeValue(value: unknown): string {
  if (isTensor(value)) return describeTensor(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
