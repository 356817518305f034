// `distil-run report <run dir>`: writes report.html there from the run's tables and prints its path.
import { writeReport } from '../index.js';
import type { Command } from './command.js';

async function report(files: readonly string[]): Promise<number> {
  const written = await writeReport(files[0]);
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
  flags: {},
  run: report,
};
