// `distil-run report <run dir>`: writes report.html there from the run's tables and prints its path.
import { createRegistry, writeReport } from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';

async function report(files: readonly string[], values: Values): Promise<number> {
  const registry = await createRegistry({ plugins: values.plugin });
  const written = await writeReport(files[0], { higherIsBetter: (metric) => registry.higherIsBetter(metric) });
  if (written.status !== 'ok') {
    process.stderr.write(`the run's status is ${written.status}: the report shows what finished\n`);
  }
  process.stdout.write(`${written.file}\n`);
  return 0;
}

export const reportCommand: Command = {
  name: 'report',
  usage: 'report <run dir>',
  summary: 'report.html in the run directory: tables and charts, opens offline',
  section: 'Report options',
  files: { min: 1, max: 1, expected: 'one run directory' },
  flags: { plugin: { help: "load a plugin (repeatable): its metrics' directions for the comparison with kd" } },
  run: report,
};
