/**
 * The README's install examples, run from the sources: the Node example as a child process
 * (plain `node` plus tsx, with the `@vane/source` condition so no build is needed), and the
 * browser example with a stand-in `document`. `npm run test:consumer` runs both again from
 * the packed tarballs, the browser one in Chromium.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const example = (name: string): string => {
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no '<!-- example: ${name} -->' js block`);
  return match[1]!;
};
// Inside the repository, so that `@vane/*` resolves to the workspace packages.
const scratch = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-'));

function runModule(source: string): { status: number | null; stdout: string; stderr: string } {
  const path = join(scratch, `example-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(path, source);
  const result = spawnSync(process.execPath, ['--conditions=@vane/source', '--import', 'tsx', path], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('README.md examples', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('the Node example trains: the loss falls and validation accuracy is high', () => {
    const { status, stdout, stderr } = runModule(example('node'));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const losses = /loss per epoch (.*)/.exec(stdout)![1]!.split(' ').map(Number);
    expect(losses).toHaveLength(5);
    expect(losses[4]!).toBeLessThan(losses[0]! * 0.5);
    expect(Number(/validation accuracy (.*)/.exec(stdout)![1])).toBeGreaterThan(0.9);
  });

  it('the browser example runs (with a stand-in document; Chromium runs it in test:consumer)', () => {
    const page = `globalThis.document = { body: { textContent: '' } };\n${example('browser')}\nconsole.log(document.body.textContent);`;
    const { status, stdout, stderr } = runModule(page);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^d\(x²\)\/dx at 3: 6; validation accuracy 0\.9\d\d$/m);
  });
});
