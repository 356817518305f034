// The report at the end of a run: loaded only then (charts stay out of the run's start-up), and never fatal.
import { DistilError, warningReportNotWritten } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import type { ReportOptions } from './run-data.js';

/**
 * Writes `<dir>/report.html` after a run, whatever its outcome. The report module (and Vega with it) is
 * imported here, when the run has ended. A report that cannot be made is a warning: the run's tables
 * and exit code stay as they are.
 * @returns the report's path, or undefined when it could not be written (after `warn` said why).
 */
export async function reportAfterRun(
  dir: string,
  warn: (warning: DistilWarning) => void,
  options: ReportOptions = {},
): Promise<string | undefined> {
  try {
    const { writeReport } = await import('./report.js');
    return (await writeReport(dir, options)).file;
  } catch (error) {
    const reason = error instanceof DistilError ? error.message : (error as Error).message;
    warn(warningReportNotWritten(dir, reason));
    return undefined;
  }
}
