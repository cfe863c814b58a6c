/**
 * The output directory of a study (`vane sweep`, `graft`, `surge`):
 *
 * - `study.json`: which study and its full configuration, written before the first run;
 * - `runs/<run-id>.json`: one record per finished run, written atomically the moment the run
 *   finishes, so an interrupted study keeps every finished run;
 * - `results.json`, `table.md` and the plots, written from the records when all are there.
 *
 * `--resume` continues the study in the directory: the configuration must be the same (else
 * exit 2 naming the setting and both values) and only runs without a record are executed.
 * Without `--resume` a directory that already holds a study is refused, so older results are
 * never mixed with, or silently replaced by, those of another configuration.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord, readJsonFile, writeJsonAtomic } from '../files/json-file.js';
import { checkOutputDirectory, createOutputDirectory } from '../output-directory.js';
import { checkSameSettings } from '../resume/check-same-settings.js';
import { UsageError } from '../usage-error.js';
import { runId, type RunConfiguration, type RunRecord } from './run-configuration.js';

/** The name of a study, as in `study.json`. */
export type StudyName = 'sweep' | 'graft' | 'surge';

/** An output directory checked for a study, with the runs it already holds. */
export interface StudyDirectory {
  /** The `--out` path. */
  readonly path: string;
  /** Where the run records are: `<path>/runs`. */
  readonly runsPath: string;
  /** Records already in the directory for runs of this study, by run id. */
  readonly finished: ReadonlyMap<string, RunRecord>;
  /** Creates the directory and writes `study.json` (call once every check has passed). */
  begin(): void;
  /** Writes one finished run's record atomically. */
  save(record: RunRecord): void;
}

/** Files whose presence means a directory already holds a study's results. */
const STUDY_FILES = ['study.json', 'results.json', 'runs'];

function readRecord(command: string, path: string, id: string): RunRecord {
  const record = readJsonFile(`vane ${command}`, path);
  if (
    !isRecord(record) ||
    record.id !== id ||
    !isRecord(record.configuration) ||
    !isRecord(record.result) ||
    runId(record.configuration as RunConfiguration) !== id
  ) {
    throw new UsageError(
      `vane ${command}: ${path} is damaged: it is not the record of run ${id} (delete it to run that run again)`,
    );
  }
  return record as unknown as RunRecord;
}

/**
 * Checks `out` for a study before any work starts (see the module comment for the rules) and
 * reads the records of the planned runs that already finished. Throws a one-line
 * {@link UsageError} for an unusable path, a missing or different study on `--resume`, an
 * existing study without `--resume`, or a damaged record.
 *
 * @example
 * const directory = openStudyDirectory('sweep', 'runs/quick-sweep', config, plan, { resume: true });
 */
export function openStudyDirectory(
  study: StudyName,
  out: string,
  config: object,
  plan: readonly RunConfiguration[],
  options: { resume: boolean },
): StudyDirectory {
  checkOutputDirectory(study, '--out', out);
  const studyPath = join(out, 'study.json');
  const runsPath = join(out, 'runs');
  const finished = new Map<string, RunRecord>();
  if (options.resume) {
    if (!existsSync(studyPath))
      throw new UsageError(
        `vane ${study}: --resume needs ${studyPath}, which does not exist (start the study without --resume)`,
      );
    const stored = readJsonFile(`vane ${study}`, studyPath);
    if (!isRecord(stored) || typeof stored.study !== 'string' || !isRecord(stored.config))
      throw new UsageError(`vane ${study}: ${studyPath} is damaged (expected { study, config })`);
    if (stored.study !== study)
      throw new UsageError(
        `vane ${study}: ${out} holds a ${stored.study} study, not a ${study} study (use vane ${stored.study} --resume, or another --out)`,
      );
    checkSameSettings(study, `the study in ${out}`, stored.config, config as Record<string, unknown>);
    const present = new Set(existsSync(runsPath) ? readdirSync(runsPath) : []);
    for (const configuration of plan) {
      const id = runId(configuration);
      if (present.has(`${id}.json`)) finished.set(id, readRecord(study, join(runsPath, `${id}.json`), id));
    }
  } else {
    const existing = STUDY_FILES.filter((name) => existsSync(join(out, name)));
    if (existing.length > 0) {
      throw new UsageError(
        `vane ${study}: ${out} already holds a study (${existing.join(', ')}); continue it with --resume, or choose another --out`,
      );
    }
  }
  return {
    path: out,
    runsPath,
    finished,
    begin() {
      createOutputDirectory(runsPath);
      if (!options.resume) writeJsonAtomic(studyPath, { study, config });
    },
    save(record) {
      writeJsonAtomic(join(runsPath, `${record.id}.json`), record);
    },
  };
}
