#!/usr/bin/env node
// The `vane` command, in this process (no second Node).
// - Installed from npm: runs the compiled CLI, dist/bin.js.
// - Inside the Vane repository (src/ present and tsx installed): runs the TypeScript sources,
//   so `npx vane` and `npm run demo` need no build and always reflect the working tree. tsx's
//   loader and a hook that adds the '@vane/source' export condition (which maps every
//   `@vane/*` import to its src/) are registered first. VANE_CLI_DIST=1 forces dist/.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const source = new URL('../src/bin.ts', import.meta.url);

async function tsxRegister() {
  try {
    return (await import('tsx/esm/api')).register;
  } catch {
    return undefined;
  }
}

const registerTsx = process.env.VANE_CLI_DIST !== '1' && existsSync(source) ? await tsxRegister() : undefined;
if (registerTsx) {
  register('./source-conditions.mjs', import.meta.url);
  registerTsx();
  await import(source.href);
} else {
  await import('../dist/bin.js');
}
