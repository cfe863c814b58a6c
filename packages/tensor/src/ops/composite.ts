/**
 * Running composite ops (ops built from other ops) without leaking their intermediates.
 */
import { isRecording, tidy } from '../engine.js';

/**
 * Runs `fn` in a `tidy` scope when nothing is being recorded, so intermediates are freed at
 * once. While autodiff records, the intermediates may be needed by the backward pass, so they
 * are left to the tape and the enclosing scope.
 */
export function composite<T>(fn: () => T): T {
  return isRecording() ? fn() : tidy(fn);
}
