// The report at the end of a run: loaded only then (charts stay out of the run's start-up), and never fatal.
import { DistilError } from '../errors.js';
import type { Reporter } from '../runner/reporter.js';

/**
 * Writes `<dir>/report.html` after a run, whatever its outcome. The report module (and Vega with it) is
 * imported here, when the run has ended. A report that cannot be made is a warning: the run's tables
 * and exit code stay as they are.
 * @returns the report's path, or undefined when it could not be written (after `warn` said why).
 */
export async function reportAfterRun(dir: string, warn: (message: string) => void): Promise<string | undefined> {
  try {
    const { writeReport } = await import('./report.js');
    return (await writeReport(dir)).file;
  } catch (error) {
    const reason = error instanceof DistilError ? error.message : (error as Error).message;
    warn(`could not write report.html (${reason}); the run's results are unchanged (distil-run report ${dir} writes it once that is fixed)`);
    return undefined;
  }
}

/**
 * Forwards every event to another reporter and remembers the run directory: a run that fails or is
 * interrupted throws instead of returning it, and still gets a report of what finished.
 */
export class RunDirReporter implements Reporter {
  /** Set when the run has opened its directory (before that, there is nothing to report). */
  runDir: string | undefined;

  constructor(private readonly inner: Reporter) {}

  runStart(info: Parameters<Reporter['runStart']>[0]): void {
    this.runDir = info.runDir;
    this.inner.runStart(info);
  }

  roleStart(event: Parameters<Reporter['roleStart']>[0]): void | Promise<void> {
    return this.inner.roleStart(event);
  }

  epoch(event: Parameters<Reporter['epoch']>[0]): void {
    this.inner.epoch(event);
  }

  step(event: Parameters<NonNullable<Reporter['step']>>[0]): void {
    this.inner.step?.(event);
  }

  roleEnd(event: Parameters<Reporter['roleEnd']>[0]): void {
    this.inner.roleEnd(event);
  }

  warn(message: string): void {
    this.inner.warn(message);
  }

  note(message: string): void {
    this.inner.note?.(message);
  }

  runEnd(): Promise<void> {
    return this.inner.runEnd();
  }
}
