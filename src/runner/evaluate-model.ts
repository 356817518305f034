// `evaluate`: a saved model's metrics on a dataset's test split (its own, or another), beside what its run recorded.
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { errorInvalidArgument, errorMetricDataset } from '../errors/index.js';
import { loadExperiment, resolveExperiment } from '../config/index.js';
import { applyOverrides, parseSpecSource } from '../config/index.js';
import type { ResolvedConfig } from '../config/index.js';
import type { Registry } from '../registry/index.js';
import type { Loss } from '../registry/index.js';
import { loadSavedModel } from '../results/index.js';
import type { SavedModelFiles, SavedModelInfo } from '../results/index.js';
import { loadData, disposeData } from './dataset-cache.js';
import { metricProblems } from './metric-check.js';
import { createComponent, createMetric } from './model.js';
import { evaluate } from './train.js';

export interface EvaluateOptions {
  /** A dataset name (`mnist`) or a spec file whose dataset to use; default: the dataset the model was trained on. */
  readonly dataset?: string;
  /** `--set` overrides of the dataset spec, e.g. `dataset.test_limit=1000`. */
  readonly set?: readonly string[];
  /** The registry the dataset and metrics are resolved in (the built-ins and any plugins: see createRegistry). */
  readonly registry: Registry;
}

export interface Evaluation {
  readonly model: string;
  readonly info?: SavedModelInfo;
  readonly dataset: string;
  readonly examples: number;
  /** Test metrics by column. */
  readonly metrics: Readonly<Record<string, number>>;
  /** What the run recorded for this model on its own dataset, when it was saved by a run. */
  readonly recorded?: Readonly<Record<string, number>>;
}

type Spec = Record<string, unknown>;

/** A component reference as a spec writes it: `{ name, ...params }`. */
const asSpec = (ref: { name: string; params: Readonly<Record<string, unknown>> }): Spec => ({
  name: ref.name,
  ...ref.params,
});

/**
 * The config to evaluate with: the dataset (the model's own, a registered name or a spec's), the seed
 * its split depends on, and the model's metrics and loss, validated like any spec.
 */
async function evaluationConfig(
  files: SavedModelFiles,
  options: EvaluateOptions,
): Promise<{ config: ResolvedConfig; registry: Registry; baseDir: string }> {
  const { info } = files;
  // The evaluation takes the dataset only: any other key would be silently ignored.
  for (const entry of options.set ?? []) {
    const key = entry.split('=')[0].trim();
    if (key !== 'dataset' && !key.startsWith('dataset.')) {
      throw errorInvalidArgument(
        '--set',
        `${entry}: evaluate changes only the dataset (--set dataset.X=V, e.g. dataset.test_limit=1000); ${key} would be ignored`,
      );
    }
  }
  if (options.dataset !== undefined && /\.(ya?ml|json)$/i.test(options.dataset)) {
    const { experiment, registry } = await loadExperiment(options.dataset, {
      registry: options.registry,
      set: options.set ? [...options.set] : undefined,
    });
    return { config: withModelMetrics(experiment.cells[0].config, info), registry, baseDir: experiment.baseDir };
  }
  if (options.dataset === undefined && !info?.dataset) {
    throw errorInvalidArgument(
      '--dataset',
      `${files.dir} was not saved by a distil-run run, so it does not say which dataset it was trained on; give --dataset NAME or --dataset spec.yaml`,
    );
  }
  // A name as `{ name }`, so that --set dataset.X=V has a mapping to set X in.
  const dataset = options.dataset !== undefined ? { name: options.dataset } : asSpec(info!.dataset!);
  const training: Spec = {};
  if (info?.metrics) training.metrics = info.metrics.map(asSpec);
  if (info?.loss) training.loss = asSpec(info.loss);
  const spec = {
    name: 'evaluate',
    // The evaluation's seed draws only the dataset's splits: those the model was trained and tested on.
    seed: info?.splitSeed ?? info?.seed ?? 0,
    dataset,
    models: { teacher: { layers: [1] }, student: { layers: [1] } },
    training,
  };
  const baseDir = path.resolve(options.dataset === undefined ? (info?.baseDir ?? process.cwd()) : process.cwd());
  // This spec is no file the user has: its problems name the evaluation and what set the value (a flag, or the
  // model's own record), never a made-up file or a line in it. The flags' own origins are set after, and win.
  const parsed = parseSpecSource(JSON.stringify(spec, null, 2), `the evaluation of ${files.dir}`);
  const source = { ...parsed, baseDir };
  source.origins.set(
    'dataset',
    options.dataset !== undefined ? `--dataset ${options.dataset}` : 'saved with the model',
  );
  source.origins.set('training', 'saved with the model');
  applyOverrides(source, options.set ?? []);
  const { experiment, registry } = await resolveExperiment(source, { registry: options.registry });
  return { config: experiment.cells[0].config, registry, baseDir };
}

/** A spec's config with the saved model's own metrics and loss when it has them (a spec names the dataset, not how the model is judged). */
function withModelMetrics(config: ResolvedConfig, info: SavedModelInfo | undefined): ResolvedConfig {
  if (!info?.metrics || !info.loss) return config;
  const teacher = config.models.teacher;
  const training = {
    ...teacher.training,
    metrics: info.metrics.map((m) => ({ name: m.name, params: { ...m.params } })),
    loss: { name: info.loss.name, params: { ...info.loss.params } },
  };
  return { ...config, models: { ...config.models, teacher: { ...teacher, training } } };
}

/**
 * Checks that the model takes the dataset's examples and gives its outputs.
 * @throws DistilError INVALID_ARGUMENT (exit 2) saying both shapes.
 */
function assertFits(
  model: tf.LayersModel,
  dir: string,
  featureShape: readonly number[],
  outputSize: number,
  dataset: string,
): void {
  const input = model.inputs[0].shape.slice(1);
  const features = featureShape.reduce((a, b) => a * b, 1);
  if (input.reduce((a: number, b) => a * (b ?? 1), 1) !== features) {
    throw errorInvalidArgument(
      '--dataset',
      `${dir} takes inputs of shape [${input.join(', ')}], dataset ${dataset} gives [${featureShape.join(', ')}]`,
    );
  }
  const outputs = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (outputs !== outputSize) {
    throw errorInvalidArgument(
      '--dataset',
      `${dir} gives ${outputs} output(s), dataset ${dataset} has ${outputSize} ${outputSize === 1 ? 'target' : 'classes'}`,
    );
  }
}

/**
 * Evaluates a saved model on a dataset's test split with the metrics it was trained with.
 * @throws DistilError for a missing or damaged model, a dataset it does not fit, bad --set or --dataset.
 */
export async function evaluateSavedModel(target: string, options: EvaluateOptions): Promise<Evaluation> {
  const { model, files } = await loadSavedModel(target);
  try {
    const { config, registry, baseDir } = await evaluationConfig(files, options);
    const data = await loadData(registry, config, baseDir);
    try {
      assertFits(model, files.dir, data.dataset.featureShape, data.dataset.outputSize, config.dataset.name);
      // The model's own metrics on another dataset: one naming a class its test split lacks would give NaN.
      const problems = metricProblems(config, data, registry, { roles: ['teacher'] });
      if (problems.length > 0) throw errorMetricDataset(problems.map((p) => `${files.dir}: ${p.problem}`));
      const context = { seed: config.seed, baseDir, task: config.task };
      const training = config.models.teacher.training;
      const metrics = training.metrics.map((ref) => createMetric(registry, ref, context));
      const labelLoss = createComponent<Loss>(registry, 'loss', training.loss, context);
      const values = evaluate(model, {
        test: data.test,
        metrics,
        labelLoss,
        task: config.task,
        evalBatchSize: config.evaluation.batchSize,
      });
      const ownDataset = options.dataset === undefined && (options.set ?? []).length === 0;
      return {
        model: files.dir,
        info: files.info,
        dataset: config.dataset.name,
        examples: data.test.n,
        metrics: values,
        recorded: ownDataset ? files.info?.test : undefined,
      };
    } finally {
      disposeData(data);
    }
  } finally {
    model.dispose();
  }
}

/** The evaluation as the CLI prints it: one line per metric, beside what the run recorded. */
export function formatEvaluation(result: Evaluation): string {
  const { info } = result;
  const from = info?.experiment
    ? ` (${info.role} of experiment ${info.experiment}, cell ${info.cellId}, seed ${info.seed})`
    : '';
  const lines = [
    `model: ${result.model}${from}`,
    `dataset: ${result.dataset}, test split: ${result.examples.toLocaleString('en-US')} examples`,
  ];
  for (const [metric, value] of Object.entries(result.metrics)) {
    const recorded = result.recorded?.[metric];
    lines.push(
      `test_${metric} ${Number(value.toPrecision(6))}${recorded !== undefined ? ` (recorded by the run: ${Number(recorded.toPrecision(6))})` : ''}`,
    );
  }
  return lines.join('\n');
}
