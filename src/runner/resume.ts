// What a resumed run keeps: the runs (cell and seed) an earlier invocation finished, judged on all its tables.
import type { ResolvedExperiment } from '../config/index.js';
import type { DistilWarning } from '../errors/index.js';
import { finishedRuns, runKey } from '../results/index.js';
import type { ConfusionCheck, ExistingTable, RunWriter } from '../results/index.js';

/** The manifest key naming the finished runs kept without confusion rows (an older version finished them). */
export const CONFUSION_MISSING = 'confusion_missing';

/** What an invocation finds in its run directory. */
export interface ResumeState {
  /** The trusted rows of each table, read once. */
  readonly existing: {
    readonly results: ExistingTable;
    readonly history: ExistingTable;
    readonly confusion?: ExistingTable;
  };
  /** The runs (`cell/seed`) finished: kept and skipped. */
  readonly finished: Set<string>;
  /**
   * Finished classification runs that have no confusion rows and are kept all the same: a version that wrote
   * no confusion.csv finished them. Recorded in the manifest, so that a later resume does not run them again.
   */
  readonly confusionMissing: readonly string[];
}

/** The ids of the cells (search points and the cells after them included) whose dataset is a classification. */
function classificationCells(experiment: ResolvedExperiment): Set<string> {
  const { search } = experiment;
  const cells = [...experiment.cells, ...(search ? [...search.cells, ...search.finals.flat()] : [])];
  return new Set(cells.filter((cell) => cell.config.task === 'classification').map((cell) => cell.id));
}

/**
 * The runs of a run directory an earlier invocation finished, from its results, history and confusion
 * tables, and the manifest it wrote (`previous`). Without a confusion.csv (a run an older version started),
 * its finished runs are kept without confusion rows; with one, a finished classification run must have each
 * role's whole matrix, unless the manifest names it as kept without.
 */
export function resumeState(
  experiment: ResolvedExperiment,
  writer: RunWriter,
  previous: Readonly<Record<string, unknown>> | undefined,
  warn: (warning: DistilWarning) => void,
): ResumeState {
  const existing = {
    results: writer.existingResults(),
    history: writer.existingHistory(),
    confusion: writer.existingConfusion(),
  };
  const classification = classificationCells(experiment);
  const listed = previous?.[CONFUSION_MISSING];
  const exempt = new Set(Array.isArray(listed) ? listed.filter((key): key is string => typeof key === 'string') : []);
  const check: ConfusionCheck | undefined = existing.confusion && {
    table: existing.confusion,
    expected: (cell, seed) => classification.has(cell) && !exempt.has(runKey(cell, seed)),
  };
  const finished = finishedRuns(existing.results, existing.history, warn, check);
  const without = existing.confusion
    ? [...exempt].filter((key) => finished.has(key))
    : [...finished].filter((key) => classification.has(key.slice(0, key.lastIndexOf('/'))));
  return { existing, finished, confusionMissing: without.sort() };
}
