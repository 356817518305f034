// The config folder's surface: load a spec (YAML with positions), apply --set and --grid, validate and resolve it.
export { loadExperiment, resolveExperiment, SPEC_KEYS } from './experiment.js';
export type { LoadExperimentOptions } from './experiment.js';
export { applyGridFlags } from './grid-flags.js';
export { applyOverrides, parseSpecSource } from './load.js';
export type { SpecSource } from './load.js';
export { hasValidation, splitSeedOf } from './resolved-config.js';
export type {
  ComponentRef,
  GridAxisSummary,
  ResolvedCell,
  ResolvedConfig,
  ResolvedExperiment,
  ResolvedModel,
  ResolvedTraining,
  TransferSet,
  SearchStage,
  SpecOverrides,
} from './resolved-config.js';
export { experimentSchema, experimentSchemaText } from './schema-gen.js';
export { pointLabel } from './search.js';
