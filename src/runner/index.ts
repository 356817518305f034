// The runner folder's surface: plan and run an experiment, progress reporters, shards, and using saved models.
export { runExperiment } from './execute.js';
export { planStages, previewRun } from './stages.js';
export type { RunOptions, RunStatus, RunSummary } from './run-options.js';
export { metricFactsOf } from './model.js';
export { formatPlan, planRun } from './plan.js';
export type { Plan, PlannedCell } from './plan.js';
export { ListrReporter, RecordingReporter } from './reporter.js';
export type { Reporter, RoleStatus } from './reporter.js';
export { parseShard, parseShardRequest, resolveShard } from './shard.js';
export type { Shard, ShardEnvironment, ShardRequest } from './shard.js';
export { evaluateSavedModel, formatEvaluation } from './evaluate-model.js';
export type { EvaluateOptions, Evaluation } from './evaluate-model.js';
export { predictSavedModel } from './predict.js';
export type { Prediction } from './predict.js';
export { checkRunOptions } from './run-options.js';
export { checkExperimentData, DATA_CHECK_ROWS } from './data-check.js';
export type { SaveModels } from './run-options.js';
