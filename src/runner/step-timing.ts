// How fast a role's training step runs on the current backend: random rows of the dataset's shape, the
// role's model, loss and optimizer, and the step the role would take (the compiled step where it is covered).
import * as tf from '@tensorflow/tfjs';
import type { ResolvedConfig } from '../config/index.js';
import type { Dataset, Loss, Registry } from '../registry/index.js';
import type { Role } from '../shared/index.js';
import { compileRoleStep, stepCoverage } from './compiled-training.js';
import { buildModel, createComponent } from './model.js';
import { trainStep } from './train.js';

export interface StepTimingInput {
  readonly registry: Registry;
  readonly config: ResolvedConfig;
  readonly role: Role;
  /** The dataset's shape: `featureShape` (flattened for the rows) and `outputSize`. */
  readonly dataset: Pick<Dataset, 'task' | 'featureShape' | 'outputSize'>;
  readonly steps: number;
  readonly repeats: number;
  /** Warm-up steps before the timed ones (kernel set-up, optimizer slots, heap growth). @default 15 */
  readonly warmup?: number;
  /** `auto` (default): the compiled step where the role is covered, as training takes it; or force one. */
  readonly step?: 'auto' | 'compiled' | 'tfjs';
  /** The training split's rows: a batch is never larger (as in training). @default the batch size */
  readonly maxBatch?: number;
  /** Sees the model before it is disposed (the benchmark counts its FLOPs). */
  readonly onModel?: (model: tf.Sequential) => void;
}

export interface StepTiming {
  /** The median over the repeats of training samples per second. */
  readonly samplesPerSec: number;
  /** The step that ran. */
  readonly step: 'compiled' | 'tfjs';
  readonly batchSize: number;
}

/**
 * Times `repeats` runs of `steps` training steps of one role on random rows (seeded) of the dataset's
 * shape, after a warm-up. The student's loss reads random teacher outputs.
 * @throws Error when `step: 'compiled'` is asked of a role the compiled step does not cover.
 */
export function timeTrainingStep(input: StepTimingInput): StepTiming {
  const { registry, config, role, dataset } = input;
  const batchSize = Math.max(1, Math.min(config.models[role].training.batchSize, input.maxBatch ?? Infinity));
  const features = dataset.featureShape.reduce((a, b) => a * b, 1);
  const outputs = dataset.outputSize;
  const shape = { ...dataset, featureShape: [features] } as unknown as Dataset;
  const model = buildModel(registry, config.models[role].layers, shape, config.seed, role, '.');
  const owned: tf.Tensor[] = [];
  let optimizer: tf.Optimizer | undefined;
  let loss: Loss | undefined;
  let plan: ReturnType<typeof compileRoleStep> | undefined;
  try {
    const context = { seed: 1, baseDir: '.', task: config.task };
    const lossRef = role === 'student' ? config.distillation : config.models[role].training.loss;
    loss = createComponent<Loss>(registry, 'loss', lossRef, context);
    const optimizerRef = config.models[role].training.optimizer;
    optimizer = createComponent<tf.Optimizer>(registry, 'optimizer', optimizerRef, context);
    // Enough rows for 16 distinct batches, at most about 64 MB of them (a batch of the whole split has 1).
    const n = batchSize * Math.max(1, Math.min(16, Math.floor(2 ** 24 / (batchSize * Math.max(features, outputs)))));
    const own = <T extends tf.Tensor>(t: T): T => {
      owned.push(t);
      return t;
    };
    const train = {
      x: own(tf.randomUniform([n, features], 0, 1, 'float32', 1) as tf.Tensor2D),
      y: own(
        (config.task === 'classification'
          ? tf.randomUniform([n], 0, outputs, 'int32', 2)
          : tf.randomNormal([n], 0, 1, 'float32', 2)) as tf.Tensor1D,
      ),
      n,
    };
    const raw = role === 'student' ? own(tf.randomNormal([n, outputs], 0, 1, 'float32', 3) as tf.Tensor2D) : undefined;
    const teacherTrain = raw && loss.prepareTeacher ? own(loss.prepareTeacher(raw)) : raw;
    const coverage = stepCoverage({ model, loss, optimizer: optimizerRef.name, train });
    const wanted = input.step ?? 'auto';
    if (wanted === 'compiled' && !('stages' in coverage)) {
      throw new Error(`${role}: no compiled step (${coverage.reason})`);
    }
    plan =
      wanted !== 'tfjs' && 'stages' in coverage
        ? compileRoleStep(coverage, { loss, optimizer, train, teacherTrain, batchSize })
        : undefined;
    const options = { model, optimizer, loss, train, teacherTrain };
    const step = plan;
    const run = (indices: Int32Array) => (step ? step.step(indices, 1) : trainStep(options, indices).dispose());
    const batch = (i: number) => Int32Array.from({ length: batchSize }, (_, j) => (i * batchSize + j * 7) % n);
    for (let i = 0; i < (input.warmup ?? 15); i++) run(batch(i));
    const rates: number[] = [];
    for (let r = 0; r < input.repeats; r++) {
      const started = performance.now();
      for (let i = 0; i < input.steps; i++) run(batch(i));
      tf.backend().readSync(model.getWeights()[0].dataId); // queued work (tfjs-node) is done
      rates.push((input.steps * batchSize) / ((performance.now() - started) / 1000));
    }
    input.onModel?.(model);
    return {
      samplesPerSec: rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)],
      step: plan ? 'compiled' : 'tfjs',
      batchSize,
    };
  } finally {
    // Each freed on its own: after a fatal wasm error one may throw, and the others still go.
    const frees = [
      () => plan?.dispose(),
      () => tf.dispose(owned),
      () => optimizer?.dispose(),
      () => loss?.dispose?.(),
      () => model.dispose(),
    ];
    for (const free of frees) {
      try {
        free();
      } catch {
        // the error that got here, if any, is the one to report
      }
    }
  }
}
