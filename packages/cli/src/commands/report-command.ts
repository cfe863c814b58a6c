/**
 * `vane report runs/<dir>`: a markdown report of the studies and training runs in a
 * directory (the directory itself, or its immediate subdirectories), with their plots.
 *
 * Every file it reads may have been damaged (a disk filled up, a file edited by hand, a run
 * killed by an older Vane): each is checked, and a damaged one is reported as one line naming
 * the file and the problem, with exit status 2, never a stack trace.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isRecord, readJsonFile, writeTextAtomic } from '../files/json-file.js';
import { markdownTable } from '../format/table.js';
import { checkOutputDirectory } from '../output-directory.js';
import { svgLinePlot } from '../plot/svg-line-plot.js';
import { UsageError } from '../usage-error.js';
import type { TrainLog } from './train-command.js';

const OWNER = 'vane report';

function kindOf(path: string): 'file' | 'directory' | 'missing' | 'other' {
  try {
    const stats = statSync(path);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

function damaged(path: string, problem: string): never {
  throw new UsageError(`${OWNER}: ${path} is damaged: ${problem}`);
}

/** Reads a text file that must exist and be non-empty. */
function readText(path: string): string {
  if (kindOf(path) !== 'file') damaged(path, 'it is not a regular file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${OWNER}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (text.trim() === '') damaged(path, `the file is empty (${text.length} bytes)`);
  return text;
}

/** log.json, checked field by field so that a damaged log names what is wrong. */
function readTrainLog(path: string): TrainLog {
  const log = readJsonFile(OWNER, path);
  if (!isRecord(log)) damaged(path, 'expected an object with spec, backend and epochs');
  const spec = log.spec;
  if (!isRecord(spec)) damaged(path, "'spec' is missing or not an object");
  for (const key of ['model', 'dataset', 'optimizer'])
    if (typeof spec[key] !== 'string') damaged(path, `'spec.${key}' is missing or not a string`);
  for (const key of ['lr', 'batchSize', 'seed'])
    if (typeof spec[key] !== 'number') damaged(path, `'spec.${key}' is missing or not a number`);
  if (!Array.isArray(log.epochs)) damaged(path, "'epochs' is missing or not an array");
  log.epochs.forEach((entry, index) => {
    if (
      !isRecord(entry) ||
      typeof entry.epoch !== 'number' ||
      !Object.values(entry).every((value) => typeof value === 'number')
    ) {
      damaged(path, `'epochs[${index}]' is ${JSON.stringify(entry)}, expected { epoch, loss, … } with numbers`);
    }
  });
  return { backend: typeof log.backend === 'string' ? log.backend : 'unknown', ...(log as object) } as TrainLog;
}

/** results.json of a study: must name its study and configuration. */
function checkStudyResults(path: string): void {
  const results = readJsonFile(OWNER, path);
  if (!isRecord(results)) damaged(path, 'expected an object with study and config');
  if (!['sweep', 'graft', 'surge'].includes(results.study as string))
    damaged(path, `'study' is ${JSON.stringify(results.study)}, expected "sweep", "graft" or "surge"`);
  if (!isRecord(results.config)) damaged(path, "'config' is missing or not an object");
}

/** The section of one run directory, or undefined if it holds no results. */
function section(directory: string, reportDirectory: string): string | undefined {
  const link = (file: string) => relative(reportDirectory, join(directory, file)) || file;
  const svgs = readdirSync(directory)
    .filter((file) => file.endsWith('.svg') && file !== 'training-curve.svg')
    .sort();
  const tablePath = join(directory, 'table.md');
  const resultsPath = join(directory, 'results.json');
  if (kindOf(tablePath) !== 'missing' || kindOf(resultsPath) !== 'missing') {
    // A study: results.json must be intact (the table is written from it), then its own table, then its plots.
    if (kindOf(resultsPath) === 'missing')
      damaged(
        tablePath,
        `there is no ${basename(resultsPath)} next to it (was the study interrupted? rerun it with --resume)`,
      );
    checkStudyResults(resultsPath);
    if (kindOf(tablePath) === 'missing')
      damaged(resultsPath, `there is no table.md next to it (rerun the study with --resume to rewrite it)`);
    const table = readText(tablePath).replace(/^# /m, '## ');
    return [table.trim(), '', ...svgs.map((file) => `![${file}](${link(file)})`), ''].join('\n');
  }
  const logPath = join(directory, 'log.json');
  if (kindOf(logPath) !== 'missing') {
    const log = readTrainLog(logPath);
    const columns = [...new Set(log.epochs.flatMap((entry) => Object.keys(entry)))];
    const rows = log.epochs.map((entry) =>
      columns.map((column) => (column === 'epoch' ? String(entry[column]) : (entry[column] ?? NaN).toPrecision(4))),
    );
    const curves = ['loss', 'validationLoss']
      .filter((key) => columns.includes(key))
      .map((key) => ({
        name: key,
        points: log.epochs.map((entry) => ({ x: entry.epoch!, y: entry[key]! })).filter((p) => Number.isFinite(p.y)),
      }));
    writeTextAtomic(
      join(directory, 'training-curve.svg'),
      svgLinePlot(curves, {
        title: `${log.spec.model} on ${log.spec.dataset}, ${log.spec.optimizer} lr ${log.spec.lr}`,
        xLabel: 'epoch',
        yLabel: 'loss',
        logY: true,
      }),
    );
    return [
      `## Training run ${basename(directory)}: ${log.spec.model} on ${log.spec.dataset}`,
      '',
      `Optimizer ${log.spec.optimizer}, learning rate ${log.spec.lr}, batch ${log.spec.batchSize}, seed ${log.spec.seed}, backend ${log.backend}.`,
      '',
      log.epochs.length === 0 ? '(no epoch finished yet)' : markdownTable(columns, rows),
      '',
      `![training curve](${link('training-curve.svg')})`,
      '',
    ].join('\n');
  }
  return undefined;
}

/**
 * Writes `<directory>/report.md` and returns its path.
 *
 * @example
 * reportCommand(['runs/quick-sweep']);
 */
export function reportCommand(argv: readonly string[]): string {
  if (argv.length !== 1 || argv[0]!.startsWith('--'))
    throw new UsageError('vane report: expected one run directory, e.g. vane report runs/quick-sweep');
  const directory = argv[0]!;
  if (kindOf(directory) !== 'directory')
    throw new UsageError(
      `vane report: '${directory}' is not a directory (give a directory written by vane train, sweep, graft or surge)`,
    );
  checkOutputDirectory('report', 'the directory', directory);
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch (error) {
    throw new UsageError(
      `vane report: '${directory}' cannot be listed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  // Subdirectories that cannot be stat'ed (a dangling link) are no run directories.
  const candidates = [
    directory,
    ...entries
      .map((name) => join(directory, name))
      .filter((path) => kindOf(path) === 'directory')
      .sort(),
  ];
  const sections = candidates
    .map((path) => section(path, directory))
    .filter((text): text is string => text !== undefined);
  if (sections.length === 0)
    throw new UsageError(
      `vane report: no results in '${directory}' or its subdirectories (expected table.md or log.json from vane train, sweep, graft or surge)`,
    );
  const path = join(directory, 'report.md');
  writeTextAtomic(path, [`# Vane report: ${directory}`, '', ...sections].join('\n'));
  console.log(`wrote ${path} (${sections.length} section${sections.length > 1 ? 's' : ''})`);
  return path;
}
