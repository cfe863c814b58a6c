/**
 * The built playground in a real browser: `vite build`, dist/ served by a tiny static server
 * (with and without cross-origin isolation), Debian's Chromium driven by playwright-core
 * (never a downloaded browser). Skips with the reason where there is no Chromium, and fails
 * instead where CI set `VANE_BROWSER_REQUIRED=1`. Screenshots go to test-results/*.png.
 *
 * CPU against GPU: both runs compute in float32, but on different hardware paths (WebAssembly
 * SIMD on the CPU; GLSL on ANGLE/SwiftShader on the GPU), which sum in other orders and use
 * other exp/log implementations, so each op differs by rounding (about 1e-7 relative) and the
 * differences grow as training feeds them back. Measured on the first epoch of the default
 * run: at most 5e-6 relative per step; over all 10 epochs (450 steps, each epoch's last and
 * smaller batch of 29 included) at most 2.6e-5, with the same validation accuracy after every
 * epoch. The test allows 1e-4 relative on every step, four times the measured drift and far
 * below any real error (a wrong kernel is off by 1e-2 or more; a kernel reused at a new
 * output size once put the 29-example batch at 2.54 against 1.19), and each epoch's
 * validation accuracy to differ by at most 0.003 (about one validation example).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS, chromiumRequirement, systemRequirement } from '@vane/testkit';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from './static-server.js';

const chromiumAvailable = chromiumRequirement();

const FASHION_DIRECTORY = process.env.VANE_FASHION_MNIST_DIRECTORY ?? '/usr/share/datasets/fashion-mnist';
const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'].map(
  (name) => `${FASHION_DIRECTORY}/${name}`,
);
const fashionRequirement = systemRequirement(
  `Fashion-MNIST in ${FASHION_DIRECTORY} (Debian dataset-fashion-mnist)`,
  'VANE_DATASETS_REQUIRED',
  () => (FASHION_FILES.every((file) => existsSync(file)) ? true : `no ${FASHION_FILES.join(' and ')}`),
);

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const distDirectory = fileURLToPath(new URL('../dist', import.meta.url));
const resultsDirectory = fileURLToPath(new URL('../test-results', import.meta.url));

/** Per-step relative tolerance of GPU against CPU losses over the first epoch (see the header). */
const LOSS_TOLERANCE = 1e-4;

interface EpochRecord {
  epoch: number;
  loss: number;
  validationAccuracy: number;
  seconds: number;
}
interface PageRun {
  losses: number[];
  records: EpochRecord[];
  backend?: { kernelClass: string; renderer: string };
  error?: string;
}

let browser: Browser | undefined;
let plain: StaticServer | undefined;
let isolated: StaticServer | undefined;

/** A page that records console errors and uncaught exceptions. */
async function openPage(url: string, width = 1200): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return { page, errors };
}

/** Waits for an autorun to end and returns what the page recorded. */
async function finishedRun(page: Page, timeout: number): Promise<PageRun> {
  await page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.runState ?? ''), null, {
    timeout,
  });
  return (await page.evaluate(() => (globalThis as { vanePlayground?: unknown }).vanePlayground)) as PageRun;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const points = async (page: Page, id: string) => Number(await page.locator(`#${id}`).getAttribute('data-points'));

describe('the playground in headless Chromium', () => {
  let cpuRun: PageRun | undefined;

  beforeAll(async () => {
    if (!chromiumAvailable.available) return;
    const started = performance.now();
    await build({
      root: packageDirectory,
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      logLevel: 'warn',
    });
    console.log(`playground: vite build in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    mkdirSync(resultsDirectory, { recursive: true });
    plain = await serveStatic(distDirectory, { isolated: false });
    isolated = await serveStatic(distDirectory, { isolated: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...HEADLESS_CHROMIUM_ARGUMENTS],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await plain?.close();
    await isolated?.close();
  });

  it('loads with no console errors, with and without cross-origin isolation (COOP/COEP)', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    for (const [name, server, expectIsolated] of [
      ['plain', plain!, false],
      ['isolated', isolated!, true],
    ] as const) {
      const { page, errors } = await openPage(server.url);
      await expect.poll(() => text(page, '#train-status')).toBe('Ready.');
      expect(await page.evaluate(() => crossOriginIsolated), name).toBe(expectIsolated);
      await page.screenshot({ path: `${resultsDirectory}/playground-${name}.png`, fullPage: true });
      expect(errors, name).toEqual([]);
      await page.close();
    }
  });

  it('?autorun=1 trains the default configuration (digits MLP, active(adamw), CPU) to >= 0.85 with live plots', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const { page, errors } = await openPage(`${plain!.url}?autorun=1`);
    const started = performance.now();
    const run = await finishedRun(page, 60_000);
    const seconds = (performance.now() - started) / 1000;
    expect(run.error).toBeUndefined();
    const accuracy = Number(await text(page, '#final-accuracy'));
    console.log(
      `playground CPU autorun: accuracy ${accuracy} in ${seconds.toFixed(1)} s on ${run.backend!.kernelClass} (${run.backend!.renderer})`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(accuracy).toBeLessThanOrEqual(1);
    expect(accuracy).toBeCloseTo(run.records.at(-1)!.validationAccuracy, 4);
    expect(run.records).toHaveLength(10);
    expect(run.backend!.kernelClass).toBe('simd');
    expect(await text(page, '#kernel-class')).toBe('simd');
    // 450 batch losses and 10 validation losses; 10 epochs of training and validation accuracy; the gain bins.
    expect(await points(page, 'loss-chart')).toBe(run.losses.length + 10);
    expect(await points(page, 'accuracy-chart')).toBe(20);
    expect(await points(page, 'gains-chart')).toBeGreaterThan(0);
    await page.screenshot({ path: `${resultsDirectory}/playground-autorun-cpu.png`, fullPage: true });
    expect(errors).toEqual([]);
    cpuRun = run;
    await page.close();
  });

  it('&backend=gpu trains on WebGL2, and every step of the run matches the CPU run', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    expect(cpuRun, 'the CPU autorun test ran first').toBeDefined();
    const { page, errors } = await openPage(`${isolated!.url}?autorun=1&backend=gpu`);
    const started = performance.now();
    const run = await finishedRun(page, 120_000);
    expect(run.error).toBeUndefined();
    console.log(
      `playground GPU autorun: ${run.backend!.kernelClass} on ${run.backend!.renderer}, ${((performance.now() - started) / 1000).toFixed(1)} s, accuracy ${await text(page, '#final-accuracy')}`,
    );
    expect(run.backend!.kernelClass).toBe('WebGL2Kernel');
    expect(await text(page, '#kernel-class')).toBe('WebGL2Kernel');
    expect(await text(page, '#renderer')).toMatch(/SwiftShader|ANGLE|WebGL/i);
    expect(run.losses).toHaveLength(cpuRun!.losses.length);
    expect(await points(page, 'loss-chart')).toBeGreaterThan(0);
    // Every step of every epoch, the epochs' last and smaller batches (29 of 1437 examples,
    // after 44 of 32) included: a kernel reused at another output size once went wrong there.
    let largest = 0;
    let largestStep = 0;
    const outside: string[] = [];
    for (let step = 0; step < cpuRun!.losses.length; step++) {
      const cpu = cpuRun!.losses[step]!;
      const difference = Math.abs(run.losses[step]! - cpu) / Math.abs(cpu);
      if (difference > largest) [largest, largestStep] = [difference, step + 1];
      if (!(difference < LOSS_TOLERANCE))
        outside.push(`step ${step + 1}: GPU ${run.losses[step]} against CPU ${cpu} (${difference.toExponential(2)})`);
    }
    console.log(
      `playground GPU against CPU: largest relative loss difference over all ${cpuRun!.losses.length} steps ${largest.toExponential(2)} at step ${largestStep} (tolerance ${LOSS_TOLERANCE})`,
    );
    expect(run.records).toHaveLength(cpuRun!.records.length);
    for (const [epoch, record] of run.records.entries()) {
      const cpu = cpuRun!.records[epoch]!.validationAccuracy;
      expect(
        Math.abs(record.validationAccuracy - cpu),
        `epoch ${epoch + 1}: validation accuracy GPU ${record.validationAccuracy}, CPU ${cpu}`,
      ).toBeLessThanOrEqual(0.003);
    }
    expect(outside, 'steps whose GPU loss is off the CPU loss by more than the tolerance').toEqual([]);
    await page.screenshot({ path: `${resultsDirectory}/playground-autorun-gpu.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Stop keeps the model and optimizer state, Resume continues; all from the keyboard', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const { page, errors } = await openPage(plain!.url, 400);
    await page.locator('#epochs').fill('3');
    await page.locator('#train-button').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => ((globalThis as { vanePlayground?: PageRun }).vanePlayground?.losses.length ?? 0) >= 10,
    );
    await page.locator('#stop-button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page, '#train-status')).toMatch(/^Stopped after step \d+/);
    const stoppedAt = await page.evaluate(
      () => (globalThis as { vanePlayground?: PageRun }).vanePlayground!.losses.length,
    );
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (globalThis as { vanePlayground?: PageRun }).vanePlayground!.losses.length)).toBe(
      stoppedAt,
    );
    expect(await page.locator('#resume-button').isDisabled()).toBe(false);
    // The focus moved from the now disabled Stop to Resume: Enter again resumes.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('resume-button');
    await page.keyboard.press('Enter');
    const run = await finishedRun(page, 60_000);
    expect(run.records).toHaveLength(3);
    // The same losses as the uninterrupted CPU run: a pause changes nothing.
    expect(run.losses).toEqual(cpuRun!.losses.slice(0, run.losses.length));
    // A narrow window: nothing wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await page.screenshot({ path: `${resultsDirectory}/playground-narrow.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains the CNN on Fashion-MNIST IDX files picked in the page (.gz, decompressed in the browser)', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    fashionRequirement.skipUnlessAvailable(context);
    const { page, errors } = await openPage(plain!.url);
    await page.locator('#dataset').selectOption('fashion-mnist');
    expect(await page.locator('#idx-files').isVisible()).toBe(true);
    // Labels first: the page tells the files apart by their IDX headers, not their order or names.
    await page.locator('#idx-files').setInputFiles([...FASHION_FILES].reverse());
    await page.locator('#example-limit').fill('2000');
    await page.locator('#model').selectOption('cnn');
    await page.locator('#epochs').fill('2');
    const started = performance.now();
    await page.locator('#train-button').click();
    const run = await finishedRun(page, 90_000);
    expect(run.error).toBeUndefined();
    const accuracy = Number(await text(page, '#final-accuracy'));
    console.log(
      `playground Fashion-MNIST CNN (2000 examples, 2 epochs): accuracy ${accuracy} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    // 1600 training images: 50 steps per epoch; well above chance (0.1) after two epochs.
    expect(run.losses).toHaveLength(100);
    expect(accuracy).toBeGreaterThan(0.5);
    await page.screenshot({ path: `${resultsDirectory}/playground-fashion-cnn.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a malformed optimizer expression as the CLI parser words it, and trains nothing', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const { page, errors } = await openPage(plain!.url);
    await page.locator('#optimizer').fill('active(adamw');
    await page.locator('#train-button').click();
    await expect.poll(() => page.locator('#train-error').isVisible()).toBe(true);
    expect(await text(page, '#train-error')).toMatch(/malformed optimizer 'active\(adamw': missing \)/);
    expect(await page.locator('#train-error').getAttribute('role')).toBe('alert');
    expect(await text(page, '#final-accuracy')).toBe('–');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the Sweep tab runs adamw against active(adamw) over the learning-rate grid on several workers', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const { page, errors } = await openPage(plain!.url);
    await page.locator('#tab-train').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#tab-sweep').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#panel-sweep').isVisible()).toBe(true);
    // 3 epochs: active's gains first change at the end of the second (its period is an epoch).
    await page.locator('#sweep-epochs').fill('3');
    await page.locator('#sweep-workers').fill('2');
    const started = performance.now();
    await page.locator('#sweep-button').click();
    await expect.poll(() => text(page, '#sweep-status'), { timeout: 90_000 }).toMatch(/^Done: 16 runs/);
    console.log(
      `playground sweep: 16 runs of 3 epochs on 2 workers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(await page.locator('#sweep-rows tr').count()).toBe(16);
    expect(await points(page, 'sweep-chart')).toBe(16);
    const accuracies = await page.locator('#sweep-rows td:nth-child(4)').allInnerTexts();
    for (const accuracy of accuracies) expect(Number(accuracy)).toBeGreaterThanOrEqual(0);
    await page.screenshot({ path: `${resultsDirectory}/playground-sweep.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
