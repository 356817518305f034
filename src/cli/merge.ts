// `distil-run merge <a.csv> <b.csv>...`: shard tables combined into one, on stdout or to --out.
import { assertOutNotInput, mergeResults, writeOutputFile } from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';

function merge(files: readonly string[], values: Values): number {
  assertOutNotInput(values.out, files);
  const merged = mergeResults(files);
  const collapsed = merged.duplicates > 0 ? ` (${merged.duplicates} identical duplicate row(s) collapsed)` : '';
  if (values.out) writeOutputFile(values.out, merged.csv);
  else process.stdout.write(merged.csv);
  process.stderr.write(
    `merged ${merged.rows} row(s) from ${files.length} file(s)${values.out ? ` into ${values.out}` : ''}${collapsed}\n`,
  );
  return 0;
}

export const mergeCommand: Command = {
  name: 'merge',
  usage: 'merge <a.csv> <b.csv>... [--out FILE]',
  summary: 'combine shard tables (all results.csv or all history.csv) into one',
  section: 'Merge and summarize options',
  files: { min: 1, max: Infinity, expected: 'one or more results.csv or history.csv files to combine' },
  flags: { out: { value: 'FILE', help: 'write the table to FILE (creating its directory) instead of stdout' } },
  run: merge,
};
