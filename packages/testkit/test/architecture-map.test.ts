/**
 * docs/architecture.md draws the arrows between the packages; this keeps the drawing equal to
 * what each package.json declares (runtime `dependencies` and `peerDependencies` on other
 * `@vane/*` packages: @vane/tensor is a peer of the packages that extend it, decision 0006; the
 * test-only devDependencies of decision 0004 are not arrows).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const repository = new URL('../../../', import.meta.url);

function declaredArrows(): Record<string, string[]> {
  const arrows: Record<string, string[]> = {};
  for (const directory of readdirSync(new URL('packages/', repository))) {
    const manifest = JSON.parse(readFileSync(new URL(`packages/${directory}/package.json`, repository), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const name = manifest.name.replace('@vane/', '');
    arrows[name] = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]
      .filter((dependency) => dependency.startsWith('@vane/'))
      .map((dependency) => dependency.replace('@vane/', ''))
      .sort();
  }
  return arrows;
}

function drawnArrows(): Record<string, string[]> {
  const page = readFileSync(new URL('docs/architecture.md', repository), 'utf8');
  const arrows: Record<string, string[]> = {};
  for (const [, from, to] of page.matchAll(/^- `([a-z]+) → ([a-z, ]+)`$/gm)) arrows[from!] = to!.split(', ').sort();
  return arrows;
}

describe('docs/architecture.md', () => {
  it("draws every package's arrows exactly as its package.json declares them", () => {
    const drawn = drawnArrows();
    const declared = declaredArrows();
    // tensor depends on no other package, so it has no line of its own.
    expect(drawn).toEqual(Object.fromEntries(Object.entries(declared).filter(([, targets]) => targets.length > 0)));
    expect(Object.keys(drawn).length).toBeGreaterThanOrEqual(7);
  });
});
