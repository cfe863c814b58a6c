/**
 * Child process for the kill test: saves checkpoints of a large model in a loop. Save k
 * fills every parameter with the value k, so a reader can tell a complete save from a torn
 * one. Prints "begin k" before and "saved k" after each save.
 */
import { fill } from './fill.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { Linear } from '../../src/layers/linear.js';
import { Sequential } from '../../src/layers/sequential.js';

const path = process.argv[2]!;
const model = new Sequential(new Linear(1024, 1024), new Linear(1024, 1024), new Linear(1024, 1024)); // ~12.6 MB of float32
for (let k = 1; ; k += 1) {
  fill(model, k);
  process.stdout.write(`begin ${k}\n`);
  saveCheckpoint(path, { model, step: k });
  process.stdout.write(`saved ${k}\n`);
}
