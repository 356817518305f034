// The registry folder's surface: components by kind, the plugin API types, and loading plugin modules.
export { COLUMN, Registry } from './registry.js';
export type { Lookup, RegisteredComponent } from './registry.js';
export { loadPlugins, PLUGIN_TIMEOUT_MS } from './load-plugins.js';
export { COMPONENT_KINDS, DROPOUT_SEEDS, defineComponent, definePlugin, metricFacts } from './types.js';
export type {
  Augmentation,
  ComponentContext,
  ComponentDefinition,
  ComponentKind,
  CreatedBy,
  Dataset,
  JsonSchema,
  FeatureShapes,
  Loss,
  LossInputs,
  RowLossBatch,
  Metric,
  MetricContext,
  MetricDatasetFacts,
  MetricDefinition,
  MetricFacts,
  MetricFunction,
  Plugin,
} from './types.js';
