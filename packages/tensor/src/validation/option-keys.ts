/**
 * The one check for unknown option names, shared by every function or constructor in Vane that
 * takes an options object (tensor creation, convolution, reductions, layers, losses, `fit`,
 * optimizers, ...). An unknown key is almost always a typo or a name copied from another library
 * (`keepDims` for `keepdims`, `strides` for `stride`, `weight_decay` for `weightDecay`), and
 * ignoring it would silently change what the call computes.
 */

/** Short, unambiguous rendering of a value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value))
    return value.length > 8 ? `an array of length ${value.length}` : `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return String(value);
}

/**
 * Throws unless `options` is `undefined` or a plain object whose own keys all lie in `allowed`.
 *
 * Messages have the form
 * `conv2d: unknown option 'strides'; expected one of 'stride', 'padding', 'dilation', 'groups'`
 * (a `RangeError`), or `sum: options must be an object, got 3` (a `TypeError`).
 *
 * @param owner - the public name of the function or constructor (`conv2d`, `Linear`, `fit`).
 * @param options - the options argument as the caller passed it.
 * @param allowed - every option name the owner understands.
 */
export function checkOptionKeys(owner: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  // Object.keys, not for..in: inherited keys are not the caller's options.
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length === 0 ? 'no options' : `one of ${allowed.map((name) => `'${name}'`).join(', ')}`;
      throw new RangeError(`${owner}: unknown option '${key}'; expected ${expected}`);
    }
  }
}
