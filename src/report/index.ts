// The report folder's surface. report.html's module (and Vega with it) is imported only when a report is written.
import type { Report } from './report.js';
import type { ReportOptions } from './run-data.js';

export { reportAfterRun } from './after-run.js';
export type { Report } from './report.js';
export type { ReportOptions } from './run-data.js';

/**
 * Writes `<dir>/report.html` from a run directory's tables (see report.ts); Vega is loaded now, not at start-up.
 * @throws DistilError NOT_A_RUN_DIRECTORY, INVALID_TABLE for what the report cannot be made from.
 */
export async function writeReport(dir: string, options: ReportOptions = {}): Promise<Report> {
  const report = await import('./report.js');
  return report.writeReport(dir, options);
}
