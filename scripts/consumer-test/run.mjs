#!/usr/bin/env node
// `npm run test:consumer`: Vane as a user outside the repository gets it. Builds every package,
// packs each one with `npm pack`, installs the tarballs into a fresh project in the system's
// temporary directory, and checks:
//   0. the tarballs: dist/, README.md, LICENSE; no tests, fixtures, sources or vitest configs;
//   1. a plain `node` ESM script (the README's Node example) trains an MLP, and the loss falls;
//      `require('@vane/tensor')` works too where Node has require(esm);
//   2. `tsc --strict` reports zero errors under `node16` and under `bundler` resolution, with no
//      @types/node (`types: []`) and no skipLibCheck;
//   3. a Vite build of a page (the README's browser example: tensor, autodiff, nn, optim,
//      datasets), opened in Debian's Chromium through playwright-core, trains and reports its
//      validation accuracy;
//   4. the same page with @vane/gpu runs on gpu.js's WebGL2Kernel;
//   4b. a Vite-built page trains a small model on the installed @vane/gpu's webgpu backend
//      (Chromium with --enable-unsafe-webgpu: SwiftShader's Vulkan), reading with await;
//   5. the installed `vane --help` and `vane train --epochs 1` work (compiled JS, no tsx).
// Checks 3, 4 and 4b skip with a one-line reason where there is no Chromium (CHROMIUM, default
// /usr/bin/chromium), and fail instead under VANE_BROWSER_REQUIRED=1. Only the npm registry is
// needed (for the packages' third-party dependencies); tsc, Vite and playwright-core are the
// repository's own devDependencies. VANE_CONSUMER_KEEP=1 keeps the temporary project.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const here = join(root, 'scripts/consumer-test');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const browserRequired = process.env.VANE_BROWSER_REQUIRED === '1';
const CHROMIUM_ARGUMENTS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
const PACKAGES = ['tensor', 'autodiff', 'optim', 'datasets', 'nn', 'gpu', 'testkit', 'cli'];

const results = [];
let failures = 0;
function report(name, outcome, detail) {
  results.push({ name, outcome, detail });
  if (outcome === 'fail') failures++;
  console.log(
    `${outcome === 'pass' ? 'PASS' : outcome === 'skip' ? 'SKIP' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`,
  );
}
// VANE_CONSUMER_ONLY=1,4 runs only those checks (after the build, pack and install).
const only = process.env.VANE_CONSUMER_ONLY?.split(',');
async function check(name, body) {
  if (only && !only.includes(name.split('.')[0])) return;
  try {
    const detail = await body();
    report(name, 'pass', detail);
  } catch (error) {
    if (error?.skip) report(name, 'skip', error.message);
    else report(name, 'fail', error?.stack ?? String(error));
  }
}
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout ?? ''}\n${result.stderr ?? ''}`,
    );
  }
  return result.stdout;
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
const readmeExample = (name) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert(match, `README.md has no '<!-- example: ${name} -->' js block`);
  return match[1];
};

const work = mkdtempSync(join(tmpdir(), 'vane-consumer-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
mkdirSync(tarballs);
mkdirSync(project);
console.log(`== consumer project in ${work}`);

try {
  console.log('== build');
  run('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

  console.log('== pack');
  const packed = {};
  for (const name of PACKAGES) {
    const [info] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', tarballs], { cwd: join(root, 'packages', name) }),
    );
    packed[name] = info;
  }

  await check('0. tarballs hold dist/, README.md and LICENSE, and no tests, fixtures or sources', () => {
    const problems = [];
    for (const [name, info] of Object.entries(packed)) {
      const files = info.files.map((file) => file.path);
      const entry = name === 'cli' ? ['dist/bin.js', 'bin/vane.mjs'] : ['dist/index.js', 'dist/index.d.ts'];
      for (const wanted of ['package.json', 'README.md', 'LICENSE', ...entry]) {
        if (!files.includes(wanted)) problems.push(`${name}: no ${wanted}`);
      }
      for (const file of files) {
        if (/(^|\/)(test|fixtures|src)\//.test(file) || /\.test\.|vitest\.config|tsbuildinfo|test-support/.test(file))
          problems.push(`${name}: ships ${file}`);
      }
    }
    assert(problems.length === 0, problems.join('\n'));
    return PACKAGES.map((name) => `${name} ${(packed[name].size / 1024).toFixed(0)} KB`).join(', ');
  });

  console.log('== install the tarballs into a fresh project');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'vane-consumer', private: true, type: 'module' }, null, 2),
  );
  // --ignore-scripts: no check uses headless-gl (the optional native `gl` of @vane/gpu, whose
  // source build takes minutes); the GPU check runs in Chromium.
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      ...PACKAGES.map((name) => join(tarballs, packed[name].filename)),
    ],
    { cwd: project },
  );
  for (const name of PACKAGES) {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/@vane', name, 'package.json'), 'utf8'));
    assert(installed.version === packed[name].version, `@vane/${name} did not install from its tarball`);
  }
  assert(!existsSync(join(project, 'node_modules/@vane/tensor/src')), 'sources were installed');

  await check('1. plain node ESM script (README Node example): an MLP trains on the digits and the loss falls', () => {
    writeFileSync(join(project, 'train.mjs'), readmeExample('node'));
    const output = run(process.execPath, ['train.mjs'], { cwd: project });
    const losses = /loss per epoch (.*)/.exec(output)?.[1]?.split(' ').map(Number);
    assert(losses && losses.length === 5 && losses.every(Number.isFinite), `unexpected output:\n${output}`);
    assert(losses[4] < losses[0] * 0.5, `the loss did not fall: ${losses.join(' ')}`);
    const accuracy = Number(/validation accuracy (.*)/.exec(output)?.[1]);
    assert(accuracy > 0.9, `validation accuracy ${accuracy}`);
    let requireNote = 'require(esm) not available in this Node';
    if (process.features.require_module) {
      writeFileSync(
        join(project, 'require.cjs'),
        "const { tensor } = require('@vane/tensor'); console.log(String(tensor([1, 2]).add(1)));",
      );
      const required = run(process.execPath, ['require.cjs'], { cwd: project }).trim();
      assert(required === 'tensor([2., 3.])', `require('@vane/tensor') printed ${required}`);
      requireNote = "require('@vane/tensor') works";
    }
    const inspected = run(
      process.execPath,
      ['--input-type=module', '-e', "import { tensor } from '@vane/tensor'; console.log(tensor([1, 2]));"],
      { cwd: project },
    ).trim();
    assert(inspected === 'tensor([1., 2.])', `console.log(tensor) printed ${inspected}`);
    return `loss ${losses.join(' → ')}, validation accuracy ${accuracy}; ${requireNote}; console.log(tensor) prints tensor([1., 2.])`;
  });

  await check(
    '2. tsc --strict, zero errors under node16 and bundler resolution (no @types/node, no skipLibCheck)',
    () => {
      copyFileSync(join(here, 'typed.ts'), join(project, 'typed.ts'));
      const base = { strict: true, target: 'ES2022', noEmit: true, types: [], skipLibCheck: false };
      const configs = {
        node16: { ...base, module: 'node16', moduleResolution: 'node16' },
        bundler: { ...base, module: 'esnext', moduleResolution: 'bundler' },
      };
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const notes = [];
      for (const [name, compilerOptions] of Object.entries(configs)) {
        writeFileSync(
          join(project, `tsconfig.${name}.json`),
          JSON.stringify({ compilerOptions, files: ['typed.ts'] }, null, 2),
        );
        const result = spawnSync(process.execPath, [tsc, '-p', `tsconfig.${name}.json`, '--listFilesOnly'], {
          cwd: project,
          encoding: 'utf8',
        });
        const errors = spawnSync(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], {
          cwd: project,
          encoding: 'utf8',
        });
        assert(errors.status === 0, `${name}: ${errors.stdout}${errors.stderr}`);
        const vaneFiles = result.stdout.split('\n').filter((line) => line.includes('node_modules/@vane/'));
        assert(
          vaneFiles.every((file) => file.endsWith('.d.ts')),
          `${name}: tsc read Vane sources:\n${vaneFiles.filter((file) => !file.endsWith('.d.ts')).join('\n')}`,
        );
        notes.push(`${name}: 0 errors over ${vaneFiles.length} Vane .d.ts files`);
      }
      assert(
        !existsSync(join(project, 'node_modules/@types/node')),
        '@types/node got installed into the consumer project',
      );
      return notes.join('; ');
    },
  );

  const chromiumMissing = existsSync(CHROMIUM)
    ? undefined
    : `no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM)`;
  const browserPage = async (name, script, timeout, extraArguments = []) => {
    if (chromiumMissing) {
      if (browserRequired) throw new Error(`${chromiumMissing}, and VANE_BROWSER_REQUIRED=1`);
      throw Object.assign(new Error(chromiumMissing), { skip: true });
    }
    const pageDirectory = join(project, name);
    mkdirSync(pageDirectory, { recursive: true });
    writeFileSync(
      join(pageDirectory, 'index.html'),
      `<!doctype html><meta charset="utf-8"><title>vane ${name}</title><body></body><script type="module" src="./main.js"></script>`,
    );
    writeFileSync(join(pageDirectory, 'main.js'), script);
    const { build } = await import('vite');
    await build({
      root: pageDirectory,
      logLevel: 'warn',
      configFile: false,
      build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
    });
    const output = join(pageDirectory, 'dist');
    const server = createServer((request, response) => {
      const path = join(output, request.url === '/' ? 'index.html' : decodeURIComponent(request.url.split('?')[0]));
      if (!path.startsWith(output) || !existsSync(path)) {
        response.writeHead(404);
        response.end();
        return;
      }
      const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
      response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
      response.end(readFileSync(path));
    });
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGUMENTS, ...extraArguments],
    });
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      // Registered before the page loads: its module script runs during `goto`.
      const failed = new Promise((_, reject) =>
        page.on('pageerror', (error) => reject(new Error(`page error: ${error.stack ?? error.message}`))),
      );
      failed.catch(() => {});
      if (process.env.VANE_CONSUMER_VERBOSE === '1')
        page.on('console', (message) => console.log(`[${name}] ${message.text()}`));
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await Promise.race([
        page.waitForFunction(() => globalThis.vaneResult !== undefined, null, { timeout, polling: 500 }),
        failed,
      ]);
      const result = await page.evaluate(() => globalThis.vaneResult);
      assert(errors.length === 0, `page errors: ${errors.join('\n')}`);
      const bundleBytes = readdirSync(join(output, 'assets')).reduce(
        (sum, file) => sum + readFileSync(join(output, 'assets', file)).length,
        0,
      );
      return { ...result, bundleBytes };
    } finally {
      await browser.close();
      server.close();
    }
  };
  const harness = `
import { currentBackend } from '@vane/tensor';
globalThis.vaneResult = { text: document.body.textContent, backend: currentBackend().name, hasProcess: typeof process !== 'undefined' };
`;

  let cpuAccuracy;
  await check('3. Vite build of the README browser example in Chromium: trains and reports accuracy', async () => {
    const result = await browserPage('web', readmeExample('browser') + harness, 180_000);
    const accuracy = Number(/validation accuracy (\S+)/.exec(result.text)?.[1]);
    assert(/^d\(x²\)\/dx at 3: 6;/.test(result.text), `page says: ${result.text}`);
    assert(accuracy > 0.9, `page says: ${result.text}`);
    assert(result.hasProcess === false, 'the page has a `process` global');
    cpuAccuracy = accuracy;
    return `"${result.text}" on backend ${result.backend}; bundle ${(result.bundleBytes / 1024).toFixed(0)} KB (minified, not gzipped)`;
  });

  await check('4. the same page with @vane/gpu runs on WebGL2Kernel', async () => {
    // The README's GPU line, then the same example. Vite minifies: that is what broke gpu.js
    // kernels once (`a === b ? 1 : 0` became `+(a === b)`, see @vane/gpu's functionSource).
    const script = `import '@vane/gpu'; import { setBackend } from '@vane/tensor'; setBackend('gpu');\nimport { gpuInfo } from '@vane/gpu';\n${readmeExample('browser')}${harness}globalThis.vaneResult.gpu = gpuInfo();\n`;
    const result = await browserPage('web-gpu', script, 300_000);
    const accuracy = Number(/validation accuracy (\S+)/.exec(result.text)?.[1]);
    assert(result.backend === 'gpu', `backend ${result.backend}`);
    assert(result.gpu?.kernelClass === 'WebGL2Kernel', `gpuInfo: ${JSON.stringify(result.gpu)}`);
    // As on the CPU: WebGL2 computes in float32 too, but sums in another order and uses the
    // GPU's exp/log, so a handful of the 360 validation images (0.28% each) may land on the
    // other side; 0.02 allows seven. (This check once found a @vane/gpu bug, texture reuse
    // after a kernel's output size changed, that sent accuracy to 0.23: docs/gpu.md.)
    assert(accuracy > 0.9, `page says: ${result.text}`);
    if (cpuAccuracy !== undefined)
      assert(
        Math.abs(accuracy - cpuAccuracy) <= 0.02,
        `validation accuracy ${accuracy} on WebGL2 vs ${cpuAccuracy} on the CPU`,
      );
    return `"${result.text}" on ${result.gpu.kernelClass}, ${result.gpu.renderer}`;
  });

  await check('4b. a page trains on the installed @vane/gpu webgpu backend (reads with await)', async () => {
    // Gradient descent on a least-squares fit y = 2x + 1, all on webgpu; the parameters are read
    // once, asynchronously (synchronous reads throw on webgpu).
    const script = `
import { initWebGpu, gpuInfo } from '@vane/gpu';
import { grad } from '@vane/autodiff';
import { setBackend, tensor, mean, square } from '@vane/tensor';
const found = await initWebGpu();
setBackend('webgpu');
const x = tensor([0, 1, 2, 3, 4, 5, 6, 7]).div(8);
const y = x.mul(2).add(1);
let w = tensor([0]);
let b = tensor([0]);
const loss = (w, b) => mean(square(x.mul(w).add(b).sub(y)));
const gradients = grad(loss, { argnums: [0, 1] });
for (let step = 0; step < 300; step++) {
  const [gw, gb] = gradients(w, b);
  const nextW = w.sub(gw.mul(0.5));
  const nextB = b.sub(gb.mul(0.5));
  w.dispose(); b.dispose(); gw.dispose(); gb.dispose();
  w = nextW; b = nextB;
}
globalThis.vaneResult = { adapter: found.adapter, used: gpuInfo().webGPU.used, w: (await w.data())[0], b: (await b.data())[0] };
`;
    const result = await browserPage('web-webgpu', script, 180_000, ['--enable-unsafe-webgpu']);
    assert(result.used === true, `gpuInfo().webGPU.used is ${result.used}`);
    assert(Math.abs(result.w - 2) < 0.05 && Math.abs(result.b - 1) < 0.05, `fit w ${result.w}, b ${result.b}`);
    return `fit y = ${result.w.toFixed(3)}x + ${result.b.toFixed(3)} (want 2x + 1) on the webgpu backend, adapter ${result.adapter}`;
  });

  await check('5. installed `vane --help` and `vane train --epochs 1` (compiled JS, no tsx)', () => {
    const bin = join(project, 'node_modules/.bin/vane');
    assert(!existsSync(join(project, 'node_modules/tsx')), 'tsx is installed in the consumer project');
    const elsewhere = mkdtempSync(join(work, 'cwd-'));
    const help = run(bin, ['--help'], { cwd: elsewhere });
    assert(help.startsWith('usage: vane <command>'), `vane --help printed:\n${help}`);
    const train = run(bin, ['train', '--epochs', '1', '--out', join(elsewhere, 'run')], { cwd: elsewhere });
    const accuracy = Number(/validation accuracy (\S+?);/.exec(train)?.[1]);
    assert(
      accuracy > 0.3 && existsSync(join(elsewhere, 'run/checkpoint.safetensors')),
      `vane train printed:\n${train}`,
    );
    return `vane train --epochs 1: validation accuracy ${accuracy}`;
  });
} catch (error) {
  report('setup', 'fail', error?.stack ?? String(error));
} finally {
  if (process.env.VANE_CONSUMER_KEEP === '1') console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const count = (outcome) => results.filter((result) => result.outcome === outcome).length;
console.log(`consumer test: ${count('pass')} passed, ${count('skip')} skipped, ${count('fail')} failed`);
process.exit(failures > 0 ? 1 : 0);
