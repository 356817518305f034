// The results folder's surface: the run directory and its tables (results, history, summary), saved models, compare, merge, best.
export { findBest } from './best.js';
export type { Best, BestOptions, Winner } from './best.js';
export { COMPARE_FORMATS, parseCompareFormat, formatComparison } from './compare-format.js';
export type { CompareFormat } from './compare-format.js';
export { parseMaxRegression } from './compare-thresholds.js';
export { compareResults } from './compare.js';
export { confusionRows } from './confusion.js';
export { readCsv } from './csv.js';
export type { CsvRecord } from './csv.js';
export { mergeResults } from './merge.js';
export { assertOutNotInput, assertOutNotModel, writeOutputFile } from './output-file.js';
export { finishedRuns, runKey } from './resume.js';
export type { ConfusionCheck } from './resume.js';
export { axesOf, gain, historyRow, resultRow, round } from './rows.js';
export type { Confusion, ConfusionCounts, RoleOutcome, Row, RowContext, RowStatus } from './rows.js';
export {
  assertRunId,
  defaultRunId,
  givenRunDirectory,
  inspectRunDirectory,
  makeDirectory,
  openRunDirectory,
} from './run-dir.js';
export type { OpenRun, RunIdentity } from './run-dir.js';
export { MODEL_FILE, loadSavedModel, modelDirectory, readSavedModel, saveModel } from './saved-model.js';
export type { SavedModelFiles, SavedModelInfo } from './saved-model.js';
export { METHOD_AXIS, REFERENCE_METHOD, VS_KD_COLUMNS } from './method-ranking.js';
export { labelColumn, resultsShape, summarizeResults, summarizeTable, summaryCsv, writeRunSummary } from './summary.js';
export type { SummaryInput } from './summary.js';
export { readInvocation, repeatCommand, SINGLE_DRAW, singleDrawGains, singleDrawLines } from './single-draw.js';
export type { RunInvocation } from './single-draw.js';
export { readTable } from './table-check.js';
export type { CheckedTable } from './table-check.js';
export { formatGain, formatTable, gainVerdict } from './table.js';
export type { GainFigures } from './table.js';
export type { ExistingTable, RunWriter } from './writer.js';
