// `distil-run summarize <results.csv>`: the summary.csv of a results table (e.g. merged shards), means over seeds.
import path from 'node:path';
import {
  assertOutNotInput,
  createRegistry,
  errorTableMismatch,
  readInvocation,
  readTable,
  singleDrawGains,
  singleDrawLines,
  summarizeTable,
  summaryCsv,
  writeOutputFile,
} from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';

async function summarize(files: readonly string[], values: Values): Promise<number> {
  assertOutNotInput(values.out, files);
  const registry = await createRegistry({ plugins: values.plugin });
  const table = readTable(files[0]);
  if (table.kind !== 'results') {
    throw errorTableMismatch(
      `${files[0]}: is a ${table.kind} table, not a results table`,
      'summarize takes a results.csv',
    );
  }
  const { columns, rows } = summarizeTable(table, { higherIsBetter: (metric) => registry.higherIsBetter(metric) });
  const csv = summaryCsv(columns, rows);
  if (values.out) writeOutputFile(values.out, csv);
  else process.stdout.write(csv);
  // Gains of one seed are single draws: said on stderr, with the command from the run's manifest when it is beside the table.
  const notes = [
    `summarized ${table.rows.length} row(s) into ${rows.length} cell/role row(s)${values.out ? ` in ${values.out}` : ''}`,
    ...(singleDrawGains(rows) ? singleDrawLines(readInvocation(path.dirname(files[0]))) : []),
  ];
  process.stderr.write(notes.map((line) => `${line}\n`).join(''));
  return 0;
}

export const summarizeCommand: Command = {
  name: 'summarize',
  usage: 'summarize <results.csv> [--out FILE]',
  summary: 'summary.csv of a results table (e.g. merged shards): means over seeds',
  section: 'Merge and summarize options',
  files: {
    min: 1,
    max: 1,
    expected: 'a results.csv',
    tooMany: (files) => `expected one results.csv (merge shards first), got ${files.length} (see distil-run --help)`,
  },
  flags: {
    out: { value: 'FILE', help: 'write the table to FILE (creating its directory) instead of stdout' },
    plugin: { help: "summarize: load a plugin (repeatable): its metrics' directions for the comparison with kd" },
  },
  run: summarize,
};
