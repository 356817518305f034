// Runs one role end to end: build, train, evaluate, time inference; returns its results row.
import type { Role } from '../shared/index.js';
import type { RoleOutcome } from '../results/index.js';
import { errorNonFiniteMetric } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import type { Loss, Metric } from '../registry/index.js';
import type { ResolvedConfig } from '../config/index.js';
import type { LoadedData } from './dataset-cache.js';
import { buildModel, createComponent, createMetric, predictInBatches } from './model.js';
import { deriveSeed } from '../shared/index.js';
import type { EpochRecord, TrainRoleOptions } from './train.js';
import { evaluate, historyOfRun, trainRole } from './train.js';
import { loadRoleModel } from './loaded-model.js';
import { setWeightsAsGiven } from './constraints.js';
import type { FeatureShapes } from '../registry/index.js';
import type { StepRepresentations } from './train.js';
import {
  TEACHER_FEATURES_BUDGET_BYTES,
  featureLayers,
  readsRepresentations,
  roleFeatureModel,
  teacherFeatures as teacherFeaturesOf,
} from './representations.js';
import type { TeacherFeatures } from './representations.js';
import * as tf from '@tensorflow/tfjs';
import { createAugmenter, describeAugment } from './augment.js';
import { compileRoleStep, describeStep, stepCoverage } from './compiled-training.js';
import type { CompiledStep } from '../backend/index.js';
import type { BatchAugmenter } from './train.js';
import { describeTransfer, transferSplit } from './transfer.js';

/** A trained role: its outcome as the tables record it, with the model, its epochs and its metrics. */
export interface RoleRun extends RoleOutcome {
  readonly role: Role;
  readonly model: tf.LayersModel;
  readonly history: readonly EpochRecord[];
  readonly metrics: readonly Metric[];
}

export interface RoleRunOptions {
  readonly registry: Registry;
  readonly config: ResolvedConfig;
  readonly role: Role;
  readonly data: LoadedData;
  readonly baseDir: string;
  /** The student's teacher: its outputs on the training split (computed once) and its model. */
  readonly teacher?: StudentTeacher;
  readonly signal?: AbortSignal;
  /**
   * Epoch counts below the role's own that this training also serves (an epochs axis): at each, the model
   * is evaluated and copied, and `onServed` gets the run a training of that many epochs would have given.
   */
  readonly serves?: readonly number[];
  onServed?(epochs: number, run: RoleRun | string): void;
  /** Called once the model is built, with what the role trains besides it (a method's own weights, representations). */
  onModel?(model: tf.LayersModel, extra: RoleExtras): void | Promise<void>;
  onEpoch?(record: EpochRecord): void;
  onProgress?: TrainRoleOptions['onProgress'];
  /** Successive halving: the rungs at which `gate` says whether training goes on (see trainRole). */
  readonly rungs?: TrainRoleOptions['rungs'];
  gate?: TrainRoleOptions['gate'];
  begin?: TrainRoleOptions['begin'];
}

/** What a student learns from: the teacher's model and its outputs on the training split. */
export interface StudentTeacher {
  readonly outputs: tf.Tensor2D;
  readonly model: tf.LayersModel;
}

/** What a role trains besides its model: the method's own weights, and how it reads representations. */
export interface RoleExtras {
  /** Weights the loss owns (FitNets' regressor), trained with the model and not saved with it. */
  readonly extraParams: number;
  /** E.g. `representations: student layer -1 [64], teacher layer -1 [64] (cached, 13.8 MB)`; empty without. */
  readonly note: string;
  /** The training step it takes: `compiled step`, or `tfjs step (<why>)`. */
  readonly step: string;
}

/** Milliseconds to predict 1,000 test examples, measured on the whole test split after evaluation warmed it up. */
export function timeInference(model: tf.LayersModel, x: tf.Tensor2D, batchSize: number): number {
  const started = performance.now();
  const prediction = predictInBatches(model, x, batchSize);
  prediction.dataSync();
  prediction.dispose();
  return ((performance.now() - started) / x.shape[0]) * 1000;
}

/** A role whose metrics are not numbers has failed: a NaN must never reach a table as a result. */
function assertFinite(role: Role, metrics: Readonly<Record<string, number>>, split: string): void {
  for (const [metric, value] of Object.entries(metrics)) {
    if (!Number.isFinite(value)) throw errorNonFiniteMetric(role, metric, split, value);
  }
}

/** Why these metrics fail the role (the first that is not a number), if one is not. */
function nonFinite(role: Role, metrics: Readonly<Record<string, number>>, split: string): string | undefined {
  for (const [metric, value] of Object.entries(metrics)) {
    if (!Number.isFinite(value)) return errorNonFiniteMetric(role, metric, split, value).message;
  }
  return undefined;
}

/** The student and the person share weights-init and shuffle seeds, so the only difference is the loss. */
function seedKey(role: Role): string {
  return role === 'teacher' ? 'teacher' : 'small';
}

/** The seed a role's weights, shuffles and dropout come from: the cell's, or the teacher's own (`models.teacher.seed`). */
export function roleSeed(config: ResolvedConfig, role: Role): number {
  return config.models[role].seed ?? config.seed;
}

/** A role's model with its seeded initial weights (the same for the same config, role and dataset). */
export function buildRoleModel(
  registry: Registry,
  config: ResolvedConfig,
  role: Role,
  dataset: LoadedData['dataset'],
  baseDir: string,
): tf.Sequential {
  return buildModel(registry, config.models[role].layers, dataset, roleSeed(config, role), seedKey(role), baseDir);
}

/** Trains and evaluates one role. The caller owns (and disposes) the returned model. */
export async function runRole(options: RoleRunOptions): Promise<RoleRun> {
  const { registry, config, role, data, baseDir } = options;
  const resolved = config.models[role];
  const seed = deriveSeed(roleSeed(config, role), seedKey(role));
  const context = { seed, baseDir, task: config.task };
  // A loaded model starts from its saved weights; otherwise from the seeded layers.
  const model = resolved.load
    ? await loadRoleModel(resolved.load, data.dataset)
    : buildRoleModel(registry, config, role, data.dataset, baseDir);
  const labelLoss = createComponent<Loss>(registry, 'loss', resolved.training.loss, context);
  const studying = role === 'student' && options.teacher !== undefined;
  // The teacher trains on the whole training split; the student and the person on the transfer set.
  const transfer = role === 'teacher' ? undefined : transferSplit(config, data.train);
  const train = transfer?.split ?? data.train;
  let augment: BatchAugmenter | undefined;
  let features: ReturnType<typeof representationsOf> | undefined;
  let loss = labelLoss;
  try {
    augment = createAugmenter(registry, resolved.training.augment, data.dataset, deriveSeed(seed, 'augment'), baseDir);
    if (studying && readsRepresentations(registry, config.distillation)) {
      features = representationsOf(options, model, train, augment !== undefined);
    }
    if (role === 'student') {
      loss = createComponent<Loss>(registry, 'loss', config.distillation, { ...context, features: features?.shapes });
    }
  } catch (error) {
    features?.teacherFeatures.dispose();
    disposeSplit(transfer?.split);
    model.dispose();
    throw error;
  }
  const extraParams = (loss.variables ?? []).reduce((sum, variable) => sum + variable.size, 0);
  const coverage = stepCoverage({
    model,
    loss,
    optimizer: resolved.training.optimizer.name,
    train,
    perBatchInputs: augment ? 'its batches are augmented' : features ? 'the method reads representations' : undefined,
  });
  const step = describeStep(coverage);
  const notes = [
    config.transfer && role !== 'teacher'
      ? `transfer set: ${describeTransfer(config.transfer)} (${train.n.toLocaleString('en-US')} of ${data.train.n.toLocaleString('en-US')} examples)`
      : '',
    augment ? `augment: ${describeAugment(resolved.training.augment ?? [])}` : '',
    // Where augmentation is involved, say whether the teacher's outputs could be computed once.
    studying && (augment || config.models.teacher.training.augment) ? teacherOutputsNote(augment !== undefined) : '',
    features?.note ?? '',
    step,
  ];
  await options.onModel?.(model, { extraParams, note: notes.filter((note) => note !== '').join('; '), step });
  const metrics = resolved.training.metrics.map((ref) => createMetric(registry, ref, context));
  const optimizer = createComponent<tf.Optimizer>(registry, 'optimizer', resolved.training.optimizer, context);
  const given = studying ? options.teacher?.outputs : undefined;
  // The teacher's outputs on the rows the student trains on.
  const teacherOutputs = given && transfer ? tf.gather(given, transfer.rows) : given;
  const teacher = teacherOutputs && loss.prepareTeacher ? loss.prepareTeacher(teacherOutputs) : teacherOutputs;
  // A student whose batches are augmented: the teacher sees the same transformed batch.
  const teacherOnBatch =
    studying && augment && options.teacher ? teacherOnBatchOf(options.teacher.model, loss) : undefined;
  const { evalEvery } = resolved.training;
  // A copy of the model at an earlier epoch count, with what a run of that many epochs would have recorded.
  const onCheckpoint = (history: readonly EpochRecord[], problem?: Error) => {
    const epochs = history.length;
    if (problem) return options.onServed?.(epochs, problem.message);
    const copy = buildRoleModel(registry, config, role, data.dataset, baseDir);
    setWeightsAsGiven(copy, model.getWeights());
    const record = history[epochs - 1];
    const failure = nonFinite(role, record.test ?? {}, 'test') ?? nonFinite(role, record.val ?? {}, 'validation');
    if (failure) {
      copy.dispose();
      return options.onServed?.(epochs, failure);
    }
    const trainSeconds = history.reduce((sum, r) => sum + r.seconds, 0);
    options.onServed?.(epochs, {
      role,
      model: copy,
      params: copy.countParams(),
      history: historyOfRun(history, epochs, evalEvery),
      trainSeconds,
      samplesPerSec: (train.n * epochs) / trainSeconds,
      test: record.test ?? {},
      val: record.val,
      keptEpoch: epochs,
      inferenceMsPer1000: timeInference(copy, data.test.x, config.evaluation.batchSize),
      metrics,
      checkpointOf: resolved.training.epochs,
      trainExamples: train.n,
    });
  };
  let compiled: CompiledStep | undefined;
  try {
    compiled =
      'stages' in coverage
        ? compileRoleStep(coverage, {
            loss,
            optimizer,
            train,
            teacherTrain: teacher,
            batchSize: resolved.training.batchSize,
          })
        : undefined;
    const trained = await trainRole({
      role,
      model,
      training: resolved.training,
      optimizer,
      loss,
      labelLoss,
      metrics,
      task: config.task,
      train,
      test: data.test,
      validation: data.validation,
      teacherTrain: teacher,
      teacherOnBatch,
      augment,
      representations: features?.step,
      compiled,
      evalBatchSize: config.evaluation.batchSize,
      seed: deriveSeed(seed, 'shuffle'),
      signal: options.signal,
      onEpoch: options.onEpoch,
      onProgress: options.onProgress,
      checkpoints: options.serves ? new Set(options.serves) : undefined,
      onCheckpoint,
      rungs: options.rungs,
      gate: options.gate,
      begin: options.begin,
    });
    // The model holds the kept epoch's weights (the last, or early stopping's best): report that epoch.
    const kept =
      trained.history.find((record) => record.epoch === trained.keptEpoch) ??
      trained.history[trained.history.length - 1];
    const context = { metrics, labelLoss, task: config.task, evalBatchSize: config.evaluation.batchSize };
    const val = data.validation ? (kept.val ?? evaluate(model, { ...context, test: data.validation })) : undefined;
    const test = kept.test ?? evaluate(model, { ...context, test: data.test });
    assertFinite(role, test, 'test');
    if (val) assertFinite(role, val, 'validation');
    return {
      // The checkpoints' evaluations are not this run's: its epochs as a run without them records them.
      role,
      model,
      params: model.countParams(),
      history: options.serves ? historyOfRun(trained.history, resolved.training.epochs, evalEvery) : trained.history,
      trainSeconds: trained.trainSeconds,
      samplesPerSec: trained.samplesPerSec,
      test,
      val,
      keptEpoch: trained.keptEpoch,
      inferenceMsPer1000: timeInference(model, data.test.x, config.evaluation.batchSize),
      metrics,
      extraParams: features ? extraParams : undefined,
      trainExamples: train.n,
      ...(trained.prunedAt === undefined ? {} : { prunedAt: trained.prunedAt }),
    };
  } catch (error) {
    model.dispose(); // a failed role returns no model to its caller
    throw error;
  } finally {
    compiled?.dispose();
    optimizer.dispose();
    if (teacher !== teacherOutputs) teacher?.dispose();
    if (teacherOutputs !== given) teacherOutputs?.dispose();
    disposeSplit(transfer?.split);
    features?.teacherFeatures.dispose();
    if (loss !== labelLoss) loss.dispose?.();
  }
}

/** The student's and the teacher's representations a method reads, as the training step takes them. */
function representationsOf(
  options: RoleRunOptions,
  model: tf.LayersModel,
  train: LoadedData['train'],
  augmented: boolean,
): { shapes: FeatureShapes; step: StepRepresentations; teacherFeatures: TeacherFeatures; note: string } {
  const { registry, config, data } = options;
  const index = featureLayers(config.distillation);
  const student = roleFeatureModel(registry, config, 'student', model, data.dataset);
  const teacher = roleFeatureModel(
    registry,
    config,
    'teacher',
    (options.teacher as StudentTeacher).model,
    data.dataset,
  );
  // Augmented batches are new inputs every time: the teacher's representation of them cannot be cached.
  const budget = augmented ? -1 : TEACHER_FEATURES_BUDGET_BYTES;
  const teacherFeatures = teacherFeaturesOf(teacher, train, config.evaluation.batchSize, budget);
  const megabytes = (teacherFeatures.bytes / 1e6).toFixed(1);
  const how = teacherFeatures.cached
    ? `computed once, ${megabytes} MB`
    : augmented
      ? 'computed per batch, on the augmented inputs'
      : `computed per batch: ${megabytes} MB on the training split is over the ${TEACHER_FEATURES_BUDGET_BYTES / 2 ** 20} MiB budget`;
  return {
    shapes: { student: student.shape, teacher: teacher.shape },
    teacherFeatures,
    step: { student: (x, training) => student.apply(x, training), teacher: teacherFeatures.rows },
    note: `representations: student layer ${index.student} [${student.shape.join(', ')}], teacher layer ${index.teacher} [${teacher.shape.join(', ')}] (${how})`,
  };
}

/** Frees a split made for one role (a transfer set's). */
function disposeSplit(split: LoadedData['train'] | undefined): void {
  if (split) tf.dispose([split.x, split.y]);
}

/** How the student gets the teacher's outputs, for the log: once on the training split, or per augmented batch. */
export function teacherOutputsNote(augmented: boolean): string {
  return augmented
    ? "teacher's outputs computed per batch, on the student's augmented inputs"
    : "teacher's outputs computed once on the training split (the student's inputs are not augmented)";
}

/** The teacher's outputs on a batch in inference mode, as the loss takes them (after `prepareTeacher`). */
export function teacherOnBatchOf(teacher: tf.LayersModel, loss: Loss): (x: tf.Tensor2D) => tf.Tensor2D {
  return (x) =>
    tf.tidy(() => {
      const outputs = teacher.apply(x, { training: false }) as tf.Tensor2D;
      return loss.prepareTeacher ? loss.prepareTeacher(outputs) : outputs;
    });
}
