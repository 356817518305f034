// The public API of distil-run: a hand-picked list of named exports, stage by stage. The command line
// (src/cli/) uses nothing else.

// Shared words and helpers.
export { commandOverSeeds, contentHash, didYouMean, getVersion, ROLES } from './shared/index.js';
export type { DataSplit, FeatureColumn, Role, Task } from './shared/index.js';

// How every number people read is printed: one rule (see the README's "How numbers are printed").
export {
  estimateParts,
  formatEstimate,
  formatNumber,
  formatP,
  formatPAs,
  formatSigned,
  isSignificant,
} from './shared/index.js';
export type { EstimateParts } from './shared/index.js';

// Errors: every one distil-run raises on purpose has a code (see the README's "Exit codes and errors").
export {
  DistilError,
  errorInvalidArgument,
  errorTableMismatch,
  errorUnknownCommand,
  errorUnsettled,
  formatIssue,
  formatWarning,
} from './errors/index.js';
export type { DistilWarning, ErrorCode, IssueCode, SourceLocation, SpecIssue, WarningCode } from './errors/index.js';

// Components, plugins and the registry.
export { COMPONENT_KINDS, defineComponent, definePlugin, metricFacts, Registry } from './registry/index.js';
export type {
  ComponentContext,
  ComponentDefinition,
  ComponentKind,
  Dataset,
  FeatureShapes,
  JsonSchema,
  Loss,
  LossInputs,
  RowLossBatch,
  Metric,
  MetricContext,
  MetricDatasetFacts,
  MetricFacts,
  MetricFunction,
  Plugin,
} from './registry/index.js';
export { builtinPlugin, createRegistry } from './plugins/index.js';
export type { CreateRegistryOptions } from './plugins/index.js';

// Specs: load, override, validate and resolve; the JSON Schema.
export {
  applyGridFlags,
  applyOverrides,
  experimentSchema,
  experimentSchemaText,
  loadExperiment,
  parseSpecSource,
  resolveExperiment,
  SPEC_KEYS,
} from './config/index.js';
export type {
  ComponentRef,
  GridAxisSummary,
  LoadExperimentOptions,
  ResolvedCell,
  ResolvedConfig,
  ResolvedExperiment,
  ResolvedModel,
  ResolvedTraining,
  SpecOverrides,
  SpecSource,
} from './config/index.js';

// Data files.
export { parseIdx } from './data/index.js';

// Backends.
export { describeBackend, selectBackend } from './backend/index.js';
export type { BackendInfo, BackendName, BackendRequest } from './backend/index.js';

// Running: plans, shards, the run itself, progress, saved models in use.
export {
  checkExperimentData,
  validateCellsTakeTheirData,
  checkRunOptions,
  DATA_CHECK_ROWS,
  evaluateSavedModel,
  formatEvaluation,
  formatPlan,
  ListrReporter,
  parseShard,
  parseShardRequest,
  planRun,
  planStages,
  predictSavedModel,
  previewRun,
  RecordingReporter,
  ForwardingReporter,
  parseJobs,
  resolveShard,
  runExperiment,
  serveRunWorker,
} from './runner/index.js';
export type {
  EvaluateOptions,
  Evaluation,
  Plan,
  PlannedCell,
  Prediction,
  PredictOptions,
  Reporter,
  RoleEvent,
  RoleStatus,
  RunOptions,
  RunStartInfo,
  RunStatus,
  RunSummary,
  Shard,
  ShardEnvironment,
  ShardRequest,
  JobsRequest,
  WorkerSpec,
} from './runner/index.js';

// Results: the tables, compare, merge, summarize, best, saved models, --out files.
export {
  assertOutNotInput,
  assertOutNotModel,
  COMPARE_FORMATS,
  compareResults,
  defaultRunId,
  findBest,
  formatComparison,
  formatGain,
  formatTable,
  gainVerdict,
  loadSavedModel,
  modelDirectory,
  mergeResults,
  parseCompareFormat,
  parseMaxRegression,
  readCsv,
  readInvocation,
  readSavedModel,
  readTable,
  repeatCommand,
  saveModel,
  SINGLE_DRAW,
  singleDrawGains,
  singleDrawLines,
  summarizeResults,
  summarizeTable,
  summaryCsv,
  writeOutputFile,
} from './results/index.js';
export type {
  Best,
  BestOptions,
  CompareFormat,
  GainFigures,
  Row,
  RunInvocation,
  SavedModelFiles,
  SavedModelInfo,
  Winner,
} from './results/index.js';

// The report (report.html): its module, and Vega with it, is loaded only when a report is written.
export { reportAfterRun, writeReport } from './report/index.js';
export type { Report, ReportOptions } from './report/index.js';
