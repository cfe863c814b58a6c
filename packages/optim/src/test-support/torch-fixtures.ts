/**
 * Loading the PyTorch trajectory fixtures (`packages/optim/fixtures/*.json`) for tests:
 * parameters and gradients as tensor trees `{ layer: { weight, bias } }` in the case's dtype.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor, type DType, type NestedArray, type Tensor } from '@vane/tensor';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

type PathMap = Record<string, NestedArray>;

/** One optimizer configuration run by PyTorch in one dtype. */
export interface TorchCase {
  name: string;
  optimizer: string;
  dtype: 'float32' | 'float64';
  kwargs: Record<string, unknown>;
  options: Record<string, unknown>;
  trajectory: PathMap[];
  patch?: string;
}

/** A fixture file of trajectories. */
export interface TorchTrajectories {
  parameterPaths: string[];
  initialParams: PathMap;
  gradients: PathMap[];
  stepCount: number;
  zeroGradientStep: number;
  cases: TorchCase[];
}

/** Reads `torch-trajectories.json` (main) or `torch-extra-trajectories.json` (extra). */
export function loadTrajectories(which: 'main' | 'extra'): TorchTrajectories {
  const file = which === 'main' ? 'torch-trajectories.json' : 'torch-extra-trajectories.json';
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as TorchTrajectories;
}

/** A `{ layer: { weight, bias } }` tree from a map keyed by dotted paths. */
export function treeFromPaths(values: PathMap, dtype: DType): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]!] = tensor(value as number[], { dtype });
  }
  return root;
}

/** Values at a dotted path of a tree of tensors, as a flat list. */
export function valuesAt(root: unknown, path: string): number[] {
  let node = root as Record<string, unknown>;
  for (const key of path.split('.')) node = node[key] as Record<string, unknown>;
  return Array.from((node as unknown as Tensor).dataSync());
}

/** Flattens nested arrays to a flat list of numbers. */
export function flatValues(value: NestedArray): number[] {
  return Array.isArray(value) ? value.flatMap(flatValues) : [Number(value)];
}
