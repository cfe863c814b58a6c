// Module-resolution hook (node:module register): resolves every import with the
// '@vane/source' export condition, so `@vane/*` packages load from their TypeScript sources.
// Used by bin/vane.mjs and by worker threads running TypeScript task modules; tsx loads the
// .ts files themselves.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@vane/source')
    ? context.conditions
    : ['@vane/source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
