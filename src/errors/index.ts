// The one catalogue of what distil-run tells its users: every error it raises on purpose, every warning,
// each made by a factory here with a stable UPPER_SNAKE code (see the README's "Exit codes and errors").
export { DistilError, formatDataLocation, formatIssue, formatLocation, isInterrupted } from './distil-error.js';
export type { DataLocation, ErrorCode, SourceLocation, SpecIssue } from './distil-error.js';
export {
  errorComponentResult,
  errorFileNotFound,
  errorFileUnreadable,
  errorInvalidArgument,
  errorInvalidSpec,
  errorPluginInvalid,
  errorPluginsNotLoaded,
  errorUnknownCommand,
  errorUnsettled,
  errorUnusablePath,
} from './input-errors.js';
export {
  errorCellsTooLarge,
  errorDataFile,
  errorDataFileNotFound,
  errorDataset,
  errorDatasetNotFound,
  errorInputFile,
  errorModelShape,
  errorSavedModel,
} from './data-errors.js';
export {
  errorBackendFailure,
  errorBackendUnavailable,
  errorDiverged,
  errorInterrupted,
  errorNonFiniteLoss,
  errorNonFiniteMetric,
  errorNothingSelected,
  errorRunLocked,
  errorRunMismatch,
  errorWrite,
} from './run-errors.js';
export {
  errorInvalidTable,
  errorMergeConflict,
  errorNotARunDirectory,
  errorResults,
  errorTableMismatch,
  errorTableNotFound,
  errorUnknownMetric,
  errorUnknownOrientation,
} from './table-errors.js';
export {
  formatWarning,
  warningCutLinesDropped,
  warningHistoryIncomplete,
  warningModelNotSaved,
  warningReportNotWritten,
  warningResultRowRerun,
  warningResultsLost,
  warningStaleLockTaken,
  warningSummaryNotWritten,
  warningTeacherCacheDamaged,
  warningTeacherCacheNotWritten,
  warningTeacherNotLarger,
} from './warnings.js';
export type { DistilWarning, WarningCode } from './warnings.js';
