/** Small DOM helpers shared by the tabs. */

/**
 * The element with `id`, typed; throws naming the id when the page lacks it (a page and script out of step).
 *
 * @example
 * const button = element('train-button', HTMLButtonElement);
 */
export function element<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`playground: the page has no ${type.name} with id '${id}'`);
  return found;
}

/** Shows `message` in an alert element, or hides it for undefined. */
export function showError(target: HTMLElement, message: string | undefined): void {
  target.hidden = message === undefined;
  target.textContent = message ?? '';
}

/** Starts a training worker (a module worker, bundled by Vite from training-worker.ts). */
export function startWorker(): Worker {
  return new Worker(new URL('../training-worker.ts', import.meta.url), { type: 'module', name: 'vane-training' });
}
