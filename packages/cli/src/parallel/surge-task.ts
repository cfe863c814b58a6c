/**
 * The worker-thread task of `vane surge`: one batch size and seed of the protocol.
 */
import { measureSurge, type SurgeMeasurement, type SurgeTask } from '../studies/surge-measurement';

/** Measures one batch size. Called by the worker pool inside a worker. */
export async function runTask(task: SurgeTask, reportProgress: (text: string) => void): Promise<SurgeMeasurement> {
  return measureSurge(task, reportProgress);
}
