/**
 * Shared by every package's vitest.config.ts: resolve `@vane/*` imports through the
 * `@vane/source` export condition, i.e. to each package's `src/*.ts`, so tests run against
 * the sources with no build (docs/decisions/0006-built-packages-with-source-condition.md).
 */
import { defaultClientConditions, defaultServerConditions } from 'vite';

/** The export condition that maps every `@vane/*` entry point to its TypeScript source. */
export const SOURCE_CONDITION = '@vane/source';

/** Resolve options for the client and the server (node) environments. */
export const sourceResolve = {
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: {
    resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions], externalConditions: [SOURCE_CONDITION] },
  },
};
