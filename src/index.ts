// The public API of distil-run: a hand-picked list of named exports.
export { loadExperiment, resolveExperiment } from './config/experiment.js';
export { contentHash } from './shared/hash.js';
export type { GridAxisSummary, LoadExperimentOptions, ResolvedCell, ResolvedExperiment } from './config/experiment.js';
export { parseSpecSource, applyOverrides } from './config/load.js';
export { applyGridFlags } from './config/grid-flags.js';
export type { SpecSource } from './config/load.js';
export type { ComponentRef, ResolvedConfig, ResolvedModel, ResolvedTraining } from './config/resolve.js';
export { ROLES } from './shared/types.js';
export type { DataSplit, Role, Task } from './shared/types.js';
export { Registry } from './registry/registry.js';
export { defineComponent, definePlugin, metricFacts, COMPONENT_KINDS } from './registry/types.js';
export type {
  ComponentContext, ComponentDefinition, ComponentKind, Dataset, JsonSchema, Loss, Metric, MetricContext, MetricFacts, MetricFunction, Plugin,
} from './registry/types.js';
export { builtinPlugin } from './plugins/builtin/index.js';
export { runExperiment, defaultRunId } from './runner/execute.js';
export type { RunOptions, RunStatus, RunSummary } from './runner/execute.js';
export { planRun, formatPlan, parseShard } from './runner/plan.js';
export type { Plan, PlannedCell, Shard } from './runner/plan.js';
export { resolveShard } from './runner/shard.js';
export type { ShardEnvironment } from './runner/shard.js';
export { ListrReporter, RecordingReporter } from './runner/reporter.js';
export type { Reporter, RoleStatus } from './runner/reporter.js';
export { selectBackend } from './backend/select.js';
export type { BackendInfo, BackendName, BackendRequest } from './backend/select.js';
export { compareResults } from './results/compare.js';
export { mergeResults } from './results/merge.js';
export { readCsv } from './results/csv.js';
export { summarizeResults, summarizeTable } from './results/summary.js';
export { findBest } from './results/best.js';
export type { Best, BestOptions, Winner } from './results/best.js';
export { parseIdx } from './data/idx.js';
export { DistilError, formatIssue } from './errors.js';
export type { ErrorCode, SourceLocation, SpecIssue } from './errors.js';
export { formatComparison, COMPARE_FORMATS } from './results/compare-format.js';
export type { CompareFormat } from './results/compare-format.js';
export { parseMaxRegression } from './results/compare-thresholds.js';
export { experimentSchema } from './config/schema-gen.js';
export { saveModel, loadSavedModel, readSavedModel } from './results/saved-model.js';
export type { SavedModelInfo, SavedModelFiles } from './results/saved-model.js';
export { evaluateSavedModel, predictSavedModel } from './runner/use-model.js';
export type { Evaluation, EvaluateOptions, Prediction } from './runner/use-model.js';
// The report loads Vega only when it is written: this entry point imports it lazily.
export { reportAfterRun } from './report/after-run.js';
