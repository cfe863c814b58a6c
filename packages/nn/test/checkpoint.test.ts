import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataLoader, twoSpirals } from '@vane/datasets';
import { adam } from '@vane/optim';
import { manualSeed, seed, type Tensor } from '@vane/tensor';
import { Dropout, Linear, Sequential, Tanh, crossEntropy, fit, type Callback } from '../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../src/node.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'vane-checkpoint-'));

function setup() {
  manualSeed(11); // Dropout draws from the global generator, which checkpoints save
  const generator = seed(4);
  const model = new Sequential(
    new Linear(2, 16, { generator }),
    new Tanh(),
    new Dropout(0.2),
    new Linear(16, 2, { generator }),
  );
  const loader = new DataLoader(twoSpirals({ count: 120, noise: 0.05, seed: 1 }), {
    batchSize: 16,
    shuffle: true,
    seed: 9,
  });
  return { model, loader, optimizer: adam({ lr: 1e-2 }) };
}

const bits = (model: Sequential) =>
  model
    .namedParameters()
    .map(([name, value]) => [name, Array.from(new Uint32Array((value.dataSync() as Float32Array).slice().buffer))]);

describe('checkpoints', () => {
  it('resuming from a mid-epoch checkpoint reproduces the uninterrupted run bit for bit', () => {
    const epochs = 3;
    const reference = setup();
    fit(reference.model, reference.optimizer, reference.loader, { epochs, loss: crossEntropy, progress: false });

    const path = join(scratch(), 'run.safetensors');
    const interrupted = setup();
    const stopAtStep11: Callback = {
      onBatchEnd(context) {
        if (context.step === 11) {
          // epoch 1, batch 3 of 8
          saveCheckpoint(path, {
            model: context.model,
            optimizerState: context.optimizerState,
            data: interrupted.loader,
            step: context.step,
          });
          context.stopTraining = true;
        }
      },
    };
    fit(interrupted.model, interrupted.optimizer, interrupted.loader, {
      epochs,
      loss: crossEntropy,
      callbacks: [stopAtStep11],
      progress: false,
    });

    const resumed = setup(); // resets the global generator to its initial state: only the checkpoint brings it forward
    const { optimizerState, step } = loadCheckpoint(path, { model: resumed.model, data: resumed.loader });
    expect(step).toBe(11);
    expect(resumed.loader.state()).toEqual({ epoch: 1, position: 3 });
    fit(resumed.model, resumed.optimizer, resumed.loader, {
      epochs,
      loss: crossEntropy,
      optimizerState,
      initialStep: step,
      progress: false,
    });
    expect(bits(resumed.model)).toEqual(bits(reference.model));
  });

  it('refuses a checkpoint for another architecture and changes nothing', () => {
    const path = join(scratch(), 'small.safetensors');
    saveCheckpoint(path, { model: new Linear(2, 3) });
    const other = new Linear(2, 4);
    const before = (other.parameters().weight as Tensor).toArray();
    expect(() => loadCheckpoint(path, { model: other })).toThrow(
      `Linear.loadCheckpoint('${path}'): 'weight' has shape [3,2] float32, expected [4,2] float32`,
    );
    expect((other.parameters().weight as Tensor).toArray()).toEqual(before);
    const corrupted = join(scratch(), 'corrupted.safetensors');
    const bytes = readFileSync(path);
    writeFileSync(corrupted, bytes.subarray(0, bytes.length - 3));
    expect(() => loadCheckpoint(corrupted, { model: new Linear(2, 3) })).toThrow(
      /decodeSafetensors: '.*corrupted.safetensors'/,
    );
    expect(() => loadCheckpoint(join(scratch(), 'missing.safetensors'), { model: other })).toThrow(/ENOENT/);
  });

  it('a process killed during a save leaves the previous checkpoint intact', async () => {
    const path = join(scratch(), 'killed.safetensors');
    const writer = fileURLToPath(new URL('./support/checkpoint-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=@vane/source', '--import', 'tsx', writer, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    let killedDuring = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // Kill right after the third save has begun, while its bytes are being written.
        const match = /begin (\d+)\n$/.exec(output);
        if (killedDuring < 0 && match && Number(match[1]) >= 3) {
          killedDuring = Number(match[1]);
          setTimeout(() => child.kill('SIGKILL'), 5);
        }
      });
      child.on('exit', () => resolve());
    });
    expect(killedDuring).toBeGreaterThanOrEqual(3);
    const lastSaved = Math.max(...[...output.matchAll(/saved (\d+)/g)].map((match) => Number(match[1])));
    expect(existsSync(path)).toBe(true);
    const model = new Sequential(new Linear(1024, 1024), new Linear(1024, 1024), new Linear(1024, 1024));
    const { step } = loadCheckpoint(path, { model });
    // The file is one complete save: the last reported one, or the one being written if its rename landed before the kill.
    expect([lastSaved, lastSaved + 1]).toContain(step);
    for (const [, value] of model.namedParameters())
      expect((value.dataSync() as Float32Array).every((element) => element === step)).toBe(true);
    // The killed writer's temporary is removed by the next save to the same path.
    saveCheckpoint(path, { model, step: step + 1 });
    expect(readdirSync(dirname(path)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});
