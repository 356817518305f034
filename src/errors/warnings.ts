// Warnings: what is worth saying and stops nothing, each made here with a stable code. The user sees
// `warning: CODE: message` on stderr; a Reporter receives the warning itself.

export type WarningCode =
  | 'TEACHER_NOT_LARGER'
  | 'TEACHER_CACHE_DAMAGED'
  | 'TEACHER_CACHE_NOT_WRITTEN'
  | 'MODEL_NOT_SAVED'
  | 'CUT_LINES_DROPPED'
  | 'RESULT_ROW_RERUN'
  | 'HISTORY_INCOMPLETE'
  | 'CONFUSION_INCOMPLETE'
  | 'STALE_LOCK_TAKEN'
  | 'SUMMARY_NOT_WRITTEN'
  | 'REPORT_NOT_WRITTEN'
  | 'RESULTS_LOST'
  | 'CLASS_NAMES_UNKNOWN';

/** A problem worth saying that stops nothing. */
export interface DistilWarning {
  readonly code: WarningCode;
  readonly message: string;
}

/** A warning as stderr shows it: `TEACHER_NOT_LARGER: cell ...` (after `warning: `). */
export function formatWarning(warning: DistilWarning): string {
  return `${warning.code}: ${warning.message}`;
}

/** A teacher with no more parameters than its student (`layers: []`, say): it has little to teach, so the spec is likely wrong. */
export function warningTeacherNotLarger(
  cell: string,
  teacherParams: number,
  studentParams: number,
  loaded: boolean,
): DistilWarning {
  const count = (n: number) => n.toLocaleString('en-US');
  const hint = loaded ? 'load a larger teacher' : 'give the teacher more or wider layers';
  return {
    code: 'TEACHER_NOT_LARGER',
    message: `cell ${cell}: the teacher has ${count(teacherParams)} parameters and the student ${count(studentParams)}: a teacher no larger than its student is almost always a mistake (${hint})`,
  };
}

/** A teacher cache entry that cannot be used (cut short, another architecture, a checksum that does not match): it is trained again. */
export function warningTeacherCacheDamaged(stem: string, problem: string): DistilWarning {
  return {
    code: 'TEACHER_CACHE_DAMAGED',
    message: `teacher cache entry ${stem} is damaged (${problem}); training the teacher instead`,
  };
}

/** A trained teacher the cache cannot keep: this run uses it, later runs train it again. */
export function warningTeacherCacheNotWritten(problem: string): DistilWarning {
  return {
    code: 'TEACHER_CACHE_NOT_WRITTEN',
    message: `could not save the teacher to the cache (${problem}); this run goes on`,
  };
}

/** A role's model that cannot be saved in the run directory: the rows matter more than the files. */
export function warningModelNotSaved(role: string, dir: string, problem: string): DistilWarning {
  return {
    code: 'MODEL_NOT_SAVED',
    message: `could not save the ${role}'s model to ${dir} (${problem}); the run goes on`,
  };
}

/** Lines a killed run left half-written at the end of its tables: dropped on resume, their cells run again. */
export function warningCutLinesDropped(lines: number): DistilWarning {
  return {
    code: 'CUT_LINES_DROPPED',
    message: `dropped ${lines} cut-short line(s) left by a run that was killed while writing; their cells run again`,
  };
}

/** A results row of the run being resumed that is damaged or repeated: its cell runs again. */
export function warningResultRowRerun(
  row: number,
  cell: string,
  seed: string,
  role: string,
  problem: string,
): DistilWarning {
  return {
    code: 'RESULT_ROW_RERUN',
    message: `results.csv row ${row} (cell ${cell}, seed ${seed}, ${role}): ${problem}; the cell runs again`,
  };
}

/** A finished cell of the run being resumed whose epochs history.csv lacks: it runs again. */
export function warningHistoryIncomplete(role: string, cell: string, seed: string): DistilWarning {
  return {
    code: 'HISTORY_INCOMPLETE',
    message: `history.csv lacks epochs of the ${role} of cell ${cell}, seed ${seed}; the cell runs again`,
  };
}

/** A finished cell of the run being resumed whose confusion matrix confusion.csv lacks or holds damaged: it runs again. */
export function warningConfusionIncomplete(role: string, cell: string, seed: string, problem: string): DistilWarning {
  return {
    code: 'CONFUSION_INCOMPLETE',
    message: `confusion.csv ${problem} for the ${role} of cell ${cell}, seed ${seed}; the cell runs again`,
  };
}

/** The lock of a run directory whose holder is gone, taken over. */
export function warningStaleLockTaken(dir: string, why: string): DistilWarning {
  return { code: 'STALE_LOCK_TAKEN', message: `took over the stale lock of ${dir} (${why})` };
}

/**
 * summary.csv that cannot be made at the end of a run: when only summary.csv cannot be written, results.csv is the
 * record and can be summarized later; when results.csv itself cannot be read (`failed: 'results'`), it needs fixing first.
 */
export function warningSummaryNotWritten(
  file: string,
  reason: string,
  results: string,
  failed: 'results' | 'summary',
): DistilWarning {
  const message =
    failed === 'results'
      ? `could not write ${file}: results.csv cannot be summarized (${reason}); once it is fixed, distil-run summarize ${results} makes the summary from it`
      : `could not write ${file} (${reason}); results.csv is complete: distil-run summarize ${results} makes the summary from it`;
  return { code: 'SUMMARY_NOT_WRITTEN', message };
}

/** report.html that cannot be written when a run ends; the run's tables and exit code are unchanged. */
export function warningReportNotWritten(dir: string, reason: string): DistilWarning {
  return {
    code: 'REPORT_NOT_WRITTEN',
    message: `could not write report.html (${reason}); the run's results are unchanged (distil-run report ${dir} writes it once that is fixed)`,
  };
}

/** compare without a threshold found results of a lost in b (`what`: which, counted): reported, not failed. */
export function warningResultsLost(what: string): DistilWarning {
  return { code: 'RESULTS_LOST', message: `${what} (pass --max-regression to fail on this)` };
}

/** `predict` on a classifier saved without its class names (by an older version): its class column gives indices. */
export function warningClassNamesUnknown(dir: string): DistilWarning {
  return {
    code: 'CLASS_NAMES_UNKNOWN',
    message: `${dir} does not record its class names (saved by an older distil-run): the class column gives class indices (a model saved by this version records them)`,
  };
}
