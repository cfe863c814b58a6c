/**
 * A minimal WebAssembly binary encoder: LEB128 integers, the module sections Vane's kernels
 * need (types, an imported memory, functions, exports, code) and the opcode numbers from the
 * WebAssembly core specification (including the fixed-width SIMD proposal, prefix 0xfd).
 *
 * Kernels are written as arrays of bytes built with these helpers, so the repository ships
 * no binary blobs and needs no external toolchain: the module is emitted at run time.
 */

/** Value types (spec §5.3.1). */
export const ValueType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
/** One of the {@link ValueType} codes. */
export type ValueTypeCode = (typeof ValueType)[keyof typeof ValueType];

/** Unsigned LEB128 encoding of a non-negative integer below 2^32. */
export function unsignedLeb128(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value >>> 0;
  do {
    let byte = remaining & 0x7f;
    remaining >>>= 7;
    if (remaining !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (remaining !== 0);
  return bytes;
}

/** Signed LEB128 encoding of a 32-bit integer. */
export function signedLeb128(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value | 0;
  for (;;) {
    const byte = remaining & 0x7f;
    remaining >>= 7;
    // Done once the rest is pure sign extension of the byte's top bit.
    const done = (remaining === 0 && (byte & 0x40) === 0) || (remaining === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function utf8Name(name: string): number[] {
  const encoded = [...new TextEncoder().encode(name)];
  return [...unsignedLeb128(encoded.length), ...encoded];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb128(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb128(content.length), ...content];
}

/** Instruction encoders. Each returns the instruction's bytes; concatenate them into a body. */
export const op = {
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  if: () => [0x04, 0x40],
  else: () => [0x05],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...unsignedLeb128(depth)],
  brIf: (depth: number) => [0x0d, ...unsignedLeb128(depth)],
  return: () => [0x0f],
  call: (functionIndex: number) => [0x10, ...unsignedLeb128(functionIndex)],
  drop: () => [0x1a],
  localGet: (index: number) => [0x20, ...unsignedLeb128(index)],
  localSet: (index: number) => [0x21, ...unsignedLeb128(index)],
  localTee: (index: number) => [0x22, ...unsignedLeb128(index)],
  f32Load: (offset = 0) => [0x2a, 2, ...unsignedLeb128(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...unsignedLeb128(offset)],
  i32Const: (value: number) => [0x41, ...signedLeb128(value)],
  f32Const: (value: number) => [0x43, ...new Uint8Array(new Float32Array([value]).buffer)],
  i32Eqz: () => [0x45],
  i32Ne: () => [0x47],
  i32LtS: () => [0x48],
  i32LtU: () => [0x49],
  i32GtS: () => [0x4a],
  i32GeU: () => [0x4f],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  i32Shl: () => [0x74],
  f32Add: () => [0x92],
  f32Mul: () => [0x94],
  /** SIMD instructions: prefix 0xfd then the opcode as unsigned LEB128. */
  simd: (code: number, ...immediates: number[]) => [0xfd, ...unsignedLeb128(code), ...immediates],
};

/** SIMD opcode numbers (after the 0xfd prefix) used by the kernels. */
export const Simd = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  f32x4Splat: 0x13,
  i32x4Splat: 0x11,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  i32x4TruncSatF32x4S: 0xf8,
  /** Relaxed SIMD: a·b + c, fused (one rounding) or not, as the engine chooses. */
  f32x4RelaxedMadd: 0x105,
  // The reduction, scan and index-reduction kernels' (simd-reductions.ts, simd-running-products.ts,
  // simd-arg-reductions.ts), kept here rather than in a table of each.
  v128Load64Splat: 0x0a,
  v128Const: 0x0c,
  i32x4ExtractLane: 0x1b,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  v128AnyTrue: 0x53,
  v128Store64Lane: 0x5b,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Pmin: 0xea,
  f32x4Pmax: 0xeb,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
} as const;

/** v128.load / v128.store with a byte offset (alignment hint 16 bytes). */
export const v128Load = (offset = 0) => op.simd(Simd.v128Load, 4, ...unsignedLeb128(offset));
/** Stores the v128 on the stack at address + offset. */
export const v128Store = (offset = 0) => op.simd(Simd.v128Store, 4, ...unsignedLeb128(offset));
/** Loads one f32 and splats it to all four lanes. */
export const v128Load32Splat = (offset = 0) => op.simd(Simd.v128Load32Splat, 2, ...unsignedLeb128(offset));

/** A function to emit: its signature, extra locals (grouped by type) and body (without the final `end`). */
export interface FunctionDefinition {
  name: string;
  parameters: ValueTypeCode[];
  results: ValueTypeCode[];
  locals: { count: number; type: ValueTypeCode }[];
  body: number[];
  /**
   * Functions the body calls as `env.<name>` imports (the inline SIMD sin and cos call
   * Math.sin and Math.cos for arguments beyond their bound). Imported functions take the
   * first indices: the i-th distinct name over all definitions, in order, is `op.call(i)`.
   */
  imports?: readonly FunctionImport[];
}

/** A function imported as `env.<name>`, of the given signature. */
export interface FunctionImport {
  name: string;
  parameters: ValueTypeCode[];
  results: ValueTypeCode[];
}

/** Memory import settings: the module imports `env.memory`. */
export interface MemoryImport {
  minimumPages: number;
  maximumPages?: number;
  shared?: boolean;
}

/**
 * Encodes a module that imports `env.memory` (and the definitions' function imports, see
 * {@link FunctionDefinition.imports}) and exports every function by name.
 *
 * @example
 * const bytes = encodeModule({ minimumPages: 1 }, [{ name: 'f', parameters: [], results: [ValueType.i32], locals: [], body: op.i32Const(7) }]);
 */
export function encodeModule(memory: MemoryImport, functions: FunctionDefinition[]): Uint8Array {
  const imported = new Map<string, FunctionImport>();
  for (const fn of functions)
    for (const entry of fn.imports ?? []) if (!imported.has(entry.name)) imported.set(entry.name, entry);
  const signature = (fn: { parameters: ValueTypeCode[]; results: ValueTypeCode[] }) => [
    0x60,
    ...vector(fn.parameters.map((type) => [type])),
    ...vector(fn.results.map((type) => [type])),
  ];
  // Types: one per defined function (index = its position), then one per imported function.
  const types = [...functions, ...imported.values()].map(signature);
  const functionImports = [...imported.values()].map((entry, index) => [
    ...utf8Name('env'),
    ...utf8Name(entry.name),
    0x00,
    ...unsignedLeb128(functions.length + index),
  ]);
  const limits =
    memory.maximumPages === undefined
      ? [0x00, ...unsignedLeb128(memory.minimumPages)]
      : [memory.shared ? 0x03 : 0x01, ...unsignedLeb128(memory.minimumPages), ...unsignedLeb128(memory.maximumPages)];
  const importEntry = [...utf8Name('env'), ...utf8Name('memory'), 0x02, ...limits];
  const exports = functions.map((fn, index) => [...utf8Name(fn.name), 0x00, ...unsignedLeb128(imported.size + index)]);
  const codes = functions.map((fn) => {
    const locals = vector(fn.locals.map((group) => [...unsignedLeb128(group.count), group.type]));
    const body = [...locals, ...fn.body, 0x0b];
    return [...unsignedLeb128(body.length), ...body];
  });
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector([importEntry, ...functionImports])),
    ...section(3, vector(functions.map((_, index) => unsignedLeb128(index)))),
    ...section(7, vector(exports)),
    ...section(10, vector(codes)),
  ];
  return new Uint8Array(bytes);
}
