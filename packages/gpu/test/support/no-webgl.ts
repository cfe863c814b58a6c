/**
 * Run by device.test.ts in a process without an X display: selecting the gpu backend and
 * making a tensor must be refused with a clear error, not fall back silently. Prints
 * `refused: <message>` or `accepted`.
 */
import { setBackend, tensor } from '@vane/tensor';
import '../../src/index.js';

try {
  setBackend('gpu');
  tensor([1, 2]);
  console.log('accepted');
} catch (error) {
  console.log(`refused: ${error instanceof Error ? error.message : String(error)}`);
}
