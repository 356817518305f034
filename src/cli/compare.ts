// `distil-run compare <a> <b>`: b against the baseline a; the changes on stdout, notes and the verdict on stderr.
import { compareResults, createRegistry, formatComparison, parseCompareFormat, parseMaxRegression } from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';

async function compare(files: readonly string[], values: Values): Promise<number> {
  const thresholds = parseMaxRegression(values['max-regression'] ?? []);
  const format = parseCompareFormat(values.format);
  const registry = await createRegistry({ plugins: values.plugin });
  const comparison = compareResults(files[0], files[1], {
    maxRegression: thresholds.maxRegression,
    metricThresholds: thresholds.byMetric,
    higherIsBetter: (column) => registry.higherIsBetter(column),
    allowDifferentExperiments: values['allow-different-experiments'],
  });
  // The changes are the data (stdout, in the format asked for); what was lost, noted and decided is diagnostics (stderr).
  process.stdout.write(formatComparison(comparison, format));
  const verdict = comparison.verdict === undefined ? [] : [`distil-run: ${comparison.verdict}`];
  process.stderr.write([...comparison.notes, ...verdict].map((line) => `${line}\n`).join(''));
  return comparison.failed ? 1 : 0;
}

export const compareCommand: Command = {
  name: 'compare',
  usage: 'compare <a> <b> [--format F]',
  summary: 'compare two results or summary tables, or run directories (b against baseline a), paired by seed',
  section: 'Compare options',
  files: {
    min: 2,
    max: 2,
    expected: '2 files',
    tooMany: (files) => `expected 2 files (a baseline and a new table), got ${files.length} (see distil-run --help)`,
  },
  flags: {
    'max-regression': {
      help: [
        'repeatable: X for every metric, METRIC=X for one (test_accuracy=0.005, gain=0.002); exit 1 if a metric in',
        'b is worse than in a by more than its X, or a row ok in a is failed, skipped, interrupted or missing in b',
        "(without it: report only, exit 0); changes within the seeds' noise never fail (runs of several seeds are",
        'paired by the seeds both have: the mean change, its 95% interval and p; unpaired means otherwise)',
      ],
    },
    format: { help: 'table (default), markdown (a pull-request comment), json or csv; notes stay on stderr' },
    'allow-different-experiments': { help: 'compare tables whose experiment columns differ (refused by default)' },
    plugin: { help: "load a plugin (repeatable): its metrics' directions for --max-regression" },
  },
  run: compare,
};
