/**
 * `vane report runs/<dir>`: a markdown report of the studies and training runs in a
 * directory (the directory itself, or its immediate subdirectories), with their plots.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { markdownTable } from '../format/table';
import { svgLinePlot } from '../plot/svg-line-plot';
import { UsageError } from '../usage-error';
import type { TrainLog } from './train-command';

/** The section of one run directory, or undefined if it holds no results. */
function section(directory: string, reportDirectory: string): string | undefined {
  const link = (file: string) => relative(reportDirectory, join(directory, file)) || file;
  const svgs = readdirSync(directory).filter((file) => file.endsWith('.svg')).sort();
  if (existsSync(join(directory, 'table.md'))) {
    // The study's own table, one heading level down, then its plots.
    const table = readFileSync(join(directory, 'table.md'), 'utf8').replace(/^# /m, '## ');
    return [table.trim(), '', ...svgs.map((file) => `![${file}](${link(file)})`), ''].join('\n');
  }
  if (existsSync(join(directory, 'log.json'))) {
    const log = JSON.parse(readFileSync(join(directory, 'log.json'), 'utf8')) as TrainLog;
    const columns = [...new Set(log.epochs.flatMap((entry) => Object.keys(entry)))];
    const rows = log.epochs.map((entry) => columns.map((column) => (column === 'epoch' ? String(entry[column]) : (entry[column] ?? NaN).toPrecision(4))));
    const curves = ['loss', 'validationLoss'].filter((key) => columns.includes(key)).map((key) => ({ name: key, points: log.epochs.map((entry) => ({ x: entry.epoch!, y: entry[key]! })).filter((p) => Number.isFinite(p.y)) }));
    writeFileSync(join(directory, 'training-curve.svg'), svgLinePlot(curves, { title: `${log.spec.model} on ${log.spec.dataset}, ${log.spec.optimizer} lr ${log.spec.lr}`, xLabel: 'epoch', yLabel: 'loss', logY: true }));
    return [
      `## Training run ${basename(directory)}: ${log.spec.model} on ${log.spec.dataset}`,
      '',
      `Optimizer ${log.spec.optimizer}, learning rate ${log.spec.lr}, batch ${log.spec.batchSize}, seed ${log.spec.seed}, backend ${log.backend}.`,
      '',
      markdownTable(columns, rows),
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
  if (argv.length !== 1 || argv[0]!.startsWith('--')) throw new UsageError('vane report: expected one run directory, e.g. vane report runs/quick-sweep');
  const directory = argv[0]!;
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new UsageError(`vane report: '${directory}' is not a directory (give a directory written by vane train, sweep, graft or surge)`);
  const candidates = [directory, ...readdirSync(directory).map((name) => join(directory, name)).filter((path) => statSync(path).isDirectory()).sort()];
  const sections = candidates.map((path) => section(path, directory)).filter((text): text is string => text !== undefined);
  if (sections.length === 0) throw new UsageError(`vane report: no results in '${directory}' or its subdirectories (expected table.md or log.json from vane train, sweep, graft or surge)`);
  const path = join(directory, 'report.md');
  writeFileSync(path, [`# Vane report: ${directory}`, '', ...sections].join('\n'));
  console.log(`wrote ${path} (${sections.length} section${sections.length > 1 ? 's' : ''})`);
  return path;
}
