/**
 * A Vite plugin that gives the browser build a stand-in for each `node:*` module the Vane
 * libraries import (checkpoint files in @vane/nn, the IDX and CIFAR file loaders in
 * @vane/datasets). The playground never calls them, but the modules that do are part of the
 * packages' entry points. Without this, Vite's own stand-in has no named exports, which the
 * dev server refuses (`does not provide an export named 'readFileSync'`).
 *
 * Each stand-in exports the real module's names (read from Node when Vite starts), and each
 * throws, naming the function, if a browser ever calls it. Remove this plugin once the
 * libraries keep their file code behind a separate `./node` entry point.
 */
import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const PREFIX = '\0vane-node-stub:';

/** The plugin; add it to `plugins` in vite.config.ts (it applies to workers too). */
export function nodeBuiltinsStub(): Plugin {
  return {
    name: 'vane-node-builtins-stub',
    enforce: 'pre',
    resolveId(source) {
      const name = source.startsWith('node:') ? source.slice(5) : source;
      if (!builtinModules.includes(name)) return null;
      return `${PREFIX}${name}`;
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const name = id.slice(PREFIX.length);
      const real = (await import(`node:${name}`)) as Record<string, unknown>;
      const names = Object.keys(real).filter((key) => key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key));
      const unavailable = `function unavailable(what) { return function () { throw new Error(what + ' is not available in the browser (Vane playground)'); }; }`;
      return [
        unavailable,
        ...names.map((key) => `export const ${key} = unavailable('node:${name}.${key}');`),
        `export default {};`,
      ].join('\n');
    },
  };
}
