// Trains one role with a seeded, batched loop; evaluates it on the test split.
import type { Role, Task } from '../shared/index.js';
import * as tf from '@tensorflow/tfjs';
import { errorDiverged, errorInterrupted, errorNonFiniteLoss } from '../errors/index.js';
import type { Loss, Metric } from '../registry/index.js';
import type { ResolvedTraining } from '../config/index.js';
import { predictInBatches } from './model.js';
import { permutation } from '../shared/index.js';
import { learningRateSchedule } from './lr-schedule.js';
import { applyConstraints, setWeightsAsGiven } from './constraints.js';
import type { CompiledStep } from '../backend/index.js';

/** A dataset split held as tensors on the backend. */
export interface SplitTensors {
  readonly x: tf.Tensor2D;
  /** int32 class indices `[n]` or float32 targets `[n]`. */
  readonly y: tf.Tensor1D;
  readonly n: number;
}

/**
 * Transforms the flat batch `x` (`[n, features]`, rows of the training split) of batch `batch` in epoch
 * `epoch`; returns a new tensor of the same shape (the caller disposes both). See augment.ts.
 */
export type BatchAugmenter = (x: tf.Tensor2D, epoch: number, batch: number) => tf.Tensor2D;

/** One epoch of one role, as history.csv records it. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly seconds: number;
  readonly samplesPerSec: number;
  /** Test metrics by column, when this epoch was evaluated. */
  readonly test?: Readonly<Record<string, number>>;
  /** Validation metrics by column, when this epoch was evaluated and there is a validation split. */
  readonly val?: Readonly<Record<string, number>>;
}

export interface TrainRoleOptions {
  readonly role: Role;
  readonly model: tf.LayersModel;
  readonly training: ResolvedTraining;
  readonly optimizer: tf.Optimizer;
  /** The loss trained on (the distillation loss for the student). */
  readonly loss: Loss;
  /** The role's loss on labels alone, for the `loss` metric. */
  readonly labelLoss: Loss;
  readonly metrics: readonly Metric[];
  readonly task: Task;
  readonly train: SplitTensors;
  readonly test: SplitTensors;
  /** Held out of training: early stopping and selections read it, never the test split. */
  readonly validation?: SplitTensors;
  /** The teacher's outputs on the training split, row-aligned with `train`, computed once. */
  readonly teacherTrain?: tf.Tensor2D;
  /**
   * The teacher's outputs (as the loss takes them) on a batch, for a student whose batches are augmented:
   * the teacher then sees the same transformed inputs, and `teacherTrain` is not read.
   */
  readonly teacherOnBatch?: (x: tf.Tensor2D) => tf.Tensor2D;
  /** Transforms each training batch (see augment.ts); evaluation and the untrained loss see the data as it is. */
  readonly augment?: BatchAugmenter;
  /** For a method that reads hidden representations: the student's model with its own, and the teacher's. */
  readonly representations?: StepRepresentations;
  /**
   * The role's compiled step (see compiled-training.ts), which then does every training step; its weights
   * are written back into the model after each epoch, before anything reads it.
   */
  readonly compiled?: CompiledStep;
  readonly evalBatchSize: number;
  /** Seeds the per-epoch shuffles. */
  readonly seed: number;
  readonly signal?: AbortSignal;
  onEpoch?(record: EpochRecord): void;
  /**
   * Epochs (below `training.epochs`) at which the model is also evaluated and `onCheckpoint` is called
   * before training goes on: one training serves several epoch counts.
   */
  readonly checkpoints?: ReadonlySet<number>;
  /** At each checkpoint: the epochs so far, and why a run ending here would have failed (the divergence rule), if it would. */
  onCheckpoint?(history: readonly EpochRecord[], problem?: Error): void;
  /**
   * Successive halving's rungs (below `training.epochs`): the model is evaluated there, and `gate` says
   * whether training goes on; if not, it stops there (the run is `prunedAt` that epoch).
   */
  readonly rungs?: ReadonlySet<number>;
  gate?(record: EpochRecord): Promise<boolean>;
  /** Awaited before anything is computed: successive halving lets one of its points train at a time. */
  begin?(): Promise<void>;
  /** Called a few times a second within an epoch: examples done so far and the running rate. */
  onProgress?(progress: { epoch: number; done: number; total: number; samplesPerSec: number }): void;
}

/** The representations a training step gives a method (see representations.ts). */
export interface StepRepresentations {
  /** The student's logits and representation for a batch. */
  student(x: tf.Tensor2D, training: boolean): [tf.Tensor2D, tf.Tensor];
  /** The teacher's representation of the batch `x`, the rows `indices` of the training split. */
  teacher(indices: tf.Tensor1D, x: tf.Tensor2D): tf.Tensor;
}

type StepOptions = Pick<
  TrainRoleOptions,
  'model' | 'loss' | 'train' | 'teacherTrain' | 'teacherOnBatch' | 'representations' | 'augment'
>;

/** The loss of the rows `indices` (the batch `x`, `y`): the training step's, and the untrained model's. */
function batchLoss(
  options: StepOptions,
  indices: tf.Tensor1D,
  x: tf.Tensor2D,
  y: tf.Tensor,
  epoch: number,
  training: boolean,
): () => tf.Scalar {
  const teacher = options.teacherOnBatch
    ? options.teacherOnBatch(x)
    : options.teacherTrain
      ? tf.gather(options.teacherTrain, indices)
      : undefined;
  const { representations } = options;
  if (!representations) {
    return () => options.loss.compute(options.model.apply(x, { training }) as tf.Tensor2D, y, teacher, { epoch });
  }
  // Outside the function the optimizer differentiates: the teacher is a constant, its weights get no gradient.
  const teacherFeatures = representations.teacher(indices, x);
  return () => {
    const [logits, studentFeatures] = representations.student(x, training);
    return options.loss.compute(logits, y, teacher, { epoch, studentFeatures, teacherFeatures });
  };
}

export interface TrainRoleResult {
  readonly history: readonly EpochRecord[];
  readonly trainSeconds: number;
  readonly samplesPerSec: number;
  /** The epoch whose weights the model has: the last, or early stopping's best. */
  readonly keptEpoch: number;
  /** The rung at which successive halving stopped the training, if it did. */
  readonly prunedAt?: number;
}

/** Lets timers, the progress renderer and Ctrl-C run between batches of a synchronous backend. */
async function yieldEvery(state: { last: number }, intervalMs = 100): Promise<boolean> {
  const now = performance.now();
  if (now - state.last < intervalMs) return false;
  state.last = now;
  await new Promise((resolve) => setImmediate(resolve));
  return true;
}

/** Evaluates every metric on the whole test split. */
export function evaluate(
  model: tf.LayersModel,
  options: Pick<TrainRoleOptions, 'test' | 'metrics' | 'labelLoss' | 'task' | 'evalBatchSize'>,
): Record<string, number> {
  const prediction = predictInBatches(model, options.test.x, options.evalBatchSize);
  try {
    const values: Record<string, number> = {};
    for (const metric of options.metrics) {
      const value = tf.tidy(() =>
        metric.compute(prediction, options.test.y, { task: options.task, loss: options.labelLoss }),
      );
      values[metric.column] = value.dataSync()[0];
      value.dispose();
    }
    return values;
  } finally {
    prediction.dispose();
  }
}

/**
 * One optimizer step on the rows `indices` of the training split, batch `batch` of epoch `epoch` (which
 * seed its augmentation); returns the batch loss (caller disposes). The optimizer trains every variable
 * the loss depends on: the student's, and the loss's own.
 */
export function trainStep(
  options: StepOptions & Pick<TrainRoleOptions, 'optimizer'>,
  indices: Int32Array,
  epoch = 1,
  batch = 0,
): tf.Scalar {
  return tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    const rows = tf.gather(options.train.x, idx);
    const x = options.augment ? options.augment(rows, epoch, batch) : rows;
    const y = tf.gather(options.train.y, idx);
    const cost = options.optimizer.minimize(batchLoss(options, idx, x, y, epoch, true), true) as tf.Scalar;
    applyConstraints(options.model);
    return cost;
  });
}

/** An epoch's training steps and the sum of their batch losses, each weighted by its batch's size. */
interface EpochSteps {
  step(rows: Int32Array, batch: number): void;
  /** Ends the epoch: the summed loss (the compiled step first writes its weights back into the model). */
  end(): number;
  dispose(): void;
}

/** tfjs's step, the losses summed in a float32 tensor (read once, at the end of the epoch). */
function tensorSteps(options: TrainRoleOptions, epoch: number): EpochSteps {
  let sum = tf.scalar(0);
  return {
    step(rows, batch) {
      const cost = trainStep(options, rows, epoch, batch);
      const next = tf.tidy(() => tf.add(sum, tf.mul(cost, rows.length)) as tf.Scalar);
      cost.dispose();
      sum.dispose();
      sum = next;
    },
    end: () => sum.dataSync()[0],
    dispose: () => sum.dispose(),
  };
}

/** The compiled step, the losses summed in float32 as the tensor does it (so history.csv records the same figure). */
function compiledSteps(compiled: CompiledStep, epoch: number): EpochSteps {
  let sum = 0;
  return {
    step(rows) {
      sum = Math.fround(sum + Math.fround(compiled.step(rows, epoch) * rows.length));
    },
    end() {
      compiled.writeBack();
      return sum;
    },
    dispose() {},
  };
}

async function trainEpoch(options: TrainRoleOptions, epoch: number, tick: { last: number }): Promise<number> {
  const { n } = options.train;
  const batchSize = options.training.batchSize;
  const order = permutation(n, options.seed + epoch);
  const started = performance.now();
  const steps = options.compiled ? compiledSteps(options.compiled, epoch) : tensorSteps(options, epoch);
  try {
    for (let start = 0; start < n; start += batchSize) {
      if (options.signal?.aborted) throw errorInterrupted();
      // Weighted by batch size so the epoch loss is the mean over examples, ragged last batch included.
      steps.step(order.subarray(start, Math.min(start + batchSize, n)), start / batchSize);
      if ((await yieldEvery(tick, 250)) && options.onProgress) {
        const done = Math.min(start + batchSize, n);
        options.onProgress({ epoch, done, total: n, samplesPerSec: done / ((performance.now() - started) / 1000) });
      }
    }
    const loss = steps.end() / n;
    if (!Number.isFinite(loss)) throw errorNonFiniteLoss(epoch);
    return loss;
  } finally {
    steps.dispose();
  }
}

/** Rows the untrained loss is measured on: enough for a stable mean, cheap next to one epoch. */
const UNTRAINED_ROWS = 2048;

/**
 * The training loss of the model before its first step, on the first rows of the training split in
 * batches of the training's size (a relational method's loss depends on the batch, and its cost grows
 * with it), weighted as at epoch `epoch` (the last: a warm-up's full weight, which the last epoch is compared with).
 */
export function untrainedLoss(options: StepOptions, batchSize: number, epoch = 1): number {
  const rows = Math.min(options.train.n, UNTRAINED_ROWS);
  const value = tf.tidy(() => {
    let sum: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < rows; start += batchSize) {
      const size = Math.min(batchSize, rows - start);
      const idx = tf.range(start, start + size, 1, 'int32') as tf.Tensor1D;
      const x = options.train.x.slice([start, 0], [size, -1]);
      const y = options.train.y.slice([start], [size]);
      sum = tf.add(sum, tf.mul(batchLoss(options, idx, x, y, epoch, false)(), size));
    }
    return tf.div(sum, rows);
  });
  const loss = value.dataSync()[0];
  value.dispose();
  return loss;
}

/**
 * The divergence rule: a role diverged when its last epoch's mean training loss is more than 10 times
 * the untrained model's. Spikes on the way are allowed; ending far above the start is not a trained model.
 */
export function assertConverged(history: readonly EpochRecord[], untrained: number): void {
  const last = history[history.length - 1];
  if (last && Number.isFinite(untrained) && untrained > 0 && last.trainLoss > 10 * untrained) {
    throw errorDiverged(last.epoch, last.trainLoss, untrained);
  }
}

function divergence(history: readonly EpochRecord[], untrained: number): Error | undefined {
  try {
    assertConverged(history, untrained);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/**
 * The epochs as a run of `epochs` epochs records them: test and validation metrics only where that run
 * evaluates (every `evalEvery` epochs and the last; early stopping's validation metrics every epoch), not
 * at the checkpoints of a longer training.
 */
export function historyOfRun(history: readonly EpochRecord[], epochs: number, evalEvery: number): EpochRecord[] {
  return history
    .filter((record) => record.epoch <= epochs)
    .map((record) => {
      if (record.epoch === epochs || (evalEvery > 0 && record.epoch % evalEvery === 0)) return record;
      // Validation without test metrics is early stopping's every-epoch reading: this run computed it too.
      if (record.test === undefined) return record;
      const { test: _test, val: _val, ...rest } = record;
      return rest;
    });
}

/**
 * Trains a role for `training.epochs` epochs, evaluating every `evalEvery` epochs and at the end.
 * @throws DistilError NON_FINITE_LOSS, DIVERGED (see {@link assertConverged}), INTERRUPTED (when `signal` aborts).
 */
export async function trainRole(options: TrainRoleOptions): Promise<TrainRoleResult> {
  const { epochs, evalEvery, earlyStopping } = options.training;
  const history: EpochRecord[] = [];
  await options.begin?.();
  const untrained = untrainedLoss(options, options.training.batchSize, epochs);
  const tick = { last: performance.now() };
  const best = new BestEpoch(options.model, earlyStopping);
  const schedule = learningRateSchedule(options.optimizer, options.training.lrDecay, options.training.optimizer.name);
  let trainSeconds = 0;
  let prunedAt: number | undefined;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      schedule?.(epoch);
      const started = performance.now();
      const trainLoss = await trainEpoch(options, epoch, tick);
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      const checkpoint = epoch < epochs && options.checkpoints?.has(epoch) === true;
      const rung = epoch < epochs && options.rungs?.has(epoch) === true;
      const evaluateNow = epoch === epochs || checkpoint || rung || (evalEvery > 0 && epoch % evalEvery === 0);
      const test = evaluateNow ? evaluate(options.model, options) : undefined;
      // Early stopping watches the validation split every epoch; otherwise it is read when the test split is.
      const val =
        options.validation && (evaluateNow || earlyStopping)
          ? evaluate(options.model, { ...options, test: options.validation })
          : undefined;
      const record: EpochRecord = { epoch, trainLoss, seconds, samplesPerSec: options.train.n / seconds, test, val };
      history.push(record);
      options.onEpoch?.(record);
      if (checkpoint) options.onCheckpoint?.([...history], divergence(history, untrained));
      await new Promise((resolve) => setImmediate(resolve));
      if (val && best.stopAfter(epoch, val)) break;
      // Waits for the other points of the rung: the best go on, the rest stop here.
      if (rung && options.gate && !(await options.gate(record))) {
        prunedAt = epoch;
        break;
      }
      if (options.signal?.aborted) throw errorInterrupted();
    }
    assertConverged(history, untrained);
    const ran = history.length;
    return {
      history,
      trainSeconds,
      samplesPerSec: (options.train.n * ran) / trainSeconds,
      keptEpoch: best.restore() ?? ran,
      ...(prunedAt === undefined ? {} : { prunedAt }),
    };
  } finally {
    best.dispose();
  }
}

/** Early stopping: the best validation epoch so far, a copy of its weights, and the patience left. */
class BestEpoch {
  private epoch = 0;
  private value = NaN;
  private weights: tf.Tensor[] = [];
  private waited = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly rule: TrainRoleOptions['training']['earlyStopping'],
  ) {}

  /** Records an epoch's validation metrics; true when patience has run out. */
  stopAfter(epoch: number, val: Readonly<Record<string, number>>): boolean {
    if (!this.rule) return false;
    const value = val[this.rule.metric];
    const better = this.epoch === 0 || (this.rule.higherIsBetter ? value > this.value : value < this.value);
    if (better) {
      tf.dispose(this.weights);
      this.weights = this.model.getWeights().map((w) => w.clone());
      this.epoch = epoch;
      this.value = value;
      this.waited = 0;
      return false;
    }
    return ++this.waited >= this.rule.patience;
  }

  /** Puts the best epoch's weights back; its number, or undefined without early stopping. */
  restore(): number | undefined {
    if (!this.rule || this.epoch === 0) return undefined;
    setWeightsAsGiven(this.model, this.weights);
    return this.epoch;
  }

  dispose(): void {
    tf.dispose(this.weights);
    this.weights = [];
  }
}
