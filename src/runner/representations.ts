// The hidden representations a distillation method reads: which layer of each model, their shapes, the
// student's model with its representation as a second output, and the teacher's, once per split or per batch.
import * as tf from '@tensorflow/tfjs';
import type { ComponentRef, ResolvedConfig } from '../config/index.js';
import type { Dataset, FeatureShapes, Registry } from '../registry/index.js';
import type { Role } from '../shared/index.js';
import { errorMethodFeatures } from '../errors/index.js';
import type { DatasetCache } from './dataset-cache.js';
import { loadRoleModel } from './loaded-model.js';
import { applyInBatches, planLayers } from './model.js';
import type { PlannedCell } from './plan.js';
import type { SplitTensors } from './train.js';

/**
 * The teacher's representations on the training split are computed once, like its logits, when they take
 * at most this many bytes (e.g. 54,000 MNIST images x 64 floats = 14 MB); larger ones (feature maps of a
 * convolution) are computed for each batch in inference mode.
 */
export const TEACHER_FEATURES_BUDGET_BYTES = 256 * 1024 * 1024;

/** `features:` of a representation method's params: the layer of each model whose output it reads. */
export interface FeatureLayers {
  readonly student: number;
  readonly teacher: number;
}

/** Whether the config's distillation method reads hidden representations. */
export function readsRepresentations(registry: Registry, distillation: ComponentRef): boolean {
  const { definition } = registry.get('loss', distillation.name);
  return definition.kind === 'loss' && definition.representations === true;
}

/** The method's `features:` param (its schema gives the default, the last hidden layer of each model). */
export function featureLayers(distillation: ComponentRef): FeatureLayers {
  const features = distillation.params.features as Partial<FeatureLayers> | undefined;
  return { student: features?.student ?? -1, teacher: features?.teacher ?? -1 };
}

/**
 * The position in `0..count-1` a `features` index names (negative counts from the end: -1 is the last
 * hidden layer).
 * @throws Error when the model has no hidden layer there.
 */
export function layerPosition(index: number, count: number, role: Role): number {
  const position = index < 0 ? count + index : index;
  if (count === 0) {
    throw new Error(`the ${role} has no hidden layer to read a representation from (give it layers)`);
  }
  if (position < 0 || position >= count) {
    throw new Error(
      `features.${role} is ${index}, and the ${role} has ${count} hidden layer(s): use 0 to ${count - 1}, or -1 to -${count} from the end`,
    );
  }
  return position;
}

/** The layers of a model a `features` index counts: its hidden layers, without the input and the output layer. */
function hiddenLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  return layers.slice(0, -1);
}

/** A model loaded from a file whose input is an image is wrapped in a reshape: the saved model is its second layer. */
function innerModel(model: tf.LayersModel): { base: tf.LayersModel; reshape?: number[] } {
  const [first, second] = model.layers;
  if (model.layers.length === 2 && first.getClassName() === 'Reshape' && second instanceof tf.LayersModel) {
    return { base: second, reshape: second.inputs[0].shape.slice(1) as number[] };
  }
  return { base: model };
}

/** A model's logits and its representation at one layer, for a batch of flat examples. */
export interface FeatureModel {
  /** `[logits, representation]`; `training` runs dropout and batch-norm as in training. */
  apply(x: tf.Tensor2D, training: boolean): [tf.Tensor2D, tf.Tensor];
  /** One example's representation shape. */
  readonly shape: readonly number[];
  /** The layers of the model's own (the functional view shares them: disposing it frees nothing of the model). */
  readonly model: tf.LayersModel;
}

/**
 * The model with the output of one of its layers as a second output: a functional model over the same
 * layers, so training it trains the model. `position` indexes the model's layers as `layers:` lists them
 * (the reshape and flatten layers the runner inserts are skipped when `planned` says which they are).
 */
export function featureModel(model: tf.LayersModel, position: number, inserted?: readonly boolean[]): FeatureModel {
  const { base, reshape } = innerModel(model);
  const candidates = inserted ? base.layers.filter((_, i) => inserted[i] !== true).slice(0, -1) : hiddenLayers(base);
  const layer = candidates[position];
  const view = tf.model({
    inputs: base.inputs,
    outputs: [base.outputs[0], layer.output as tf.SymbolicTensor],
  });
  return {
    model: view,
    shape: (layer.output as tf.SymbolicTensor).shape.slice(1) as number[],
    apply(x, training) {
      const input = reshape ? tf.reshape(x, [x.shape[0], ...reshape]) : x;
      const [logits, features] = view.apply(input, { training }) as tf.Tensor[];
      return [logits as tf.Tensor2D, features];
    },
  };
}

/** Which of a built model's layers the runner inserted (reshape, flatten), in the model's order. */
export function insertedLayers(registry: Registry, layers: readonly ComponentRef[], dataset: Dataset): boolean[] {
  return planLayers(registry, layers, dataset).map((layer) => layer.inserted);
}

/**
 * A role's model with the representation its cell's method names (`features:`) as a second output: the
 * index counts the spec's layers on a built model (not the reshapes and flattens the runner inserts), a
 * loaded model's own layers otherwise.
 */
export function roleFeatureModel(
  registry: Registry,
  config: ResolvedConfig,
  role: 'student' | 'teacher',
  model: tf.LayersModel,
  dataset: Dataset,
): FeatureModel {
  const index = featureLayers(config.distillation)[role];
  const { load, layers } = config.models[role];
  if (load) return featureModel(model, loadedPosition(model, index, role));
  const inserted = insertedLayers(registry, layers, dataset);
  // The spec's layers and the output layer, which is not a hidden one.
  const hidden = inserted.filter((isInserted) => !isInserted).length - 1;
  return featureModel(model, layerPosition(index, hidden, role), inserted);
}

/** The representation shape a `features` index gives on a model built from `layers`, from the layers' static facts. */
export function plannedFeatureShape(
  registry: Registry,
  layers: readonly ComponentRef[],
  dataset: Dataset,
  index: number,
  role: Role,
): number[] {
  const hidden = planLayers(registry, layers, dataset)
    .filter((layer) => !layer.inserted)
    .slice(0, -1);
  return [...hidden[layerPosition(index, hidden.length, role)].output];
}

/** The position of the hidden layer a `features` index names on a loaded model. */
function loadedPosition(model: tf.LayersModel, index: number, role: Role): number {
  return layerPosition(index, hiddenLayers(innerModel(model).base).length, role);
}

/** The representation shape a `features` index gives on a loaded model. */
export function loadedFeatureShape(model: tf.LayersModel, index: number, role: Role): number[] {
  const hidden = hiddenLayers(innerModel(model).base);
  const layer = hidden[layerPosition(index, hidden.length, role)];
  return (layer.output as tf.SymbolicTensor).shape.slice(1) as number[];
}

/** The teacher's representation of the rows of a training batch. */
export interface TeacherFeatures {
  /** `[rows, ...shape]` for the batch `x` (the rows `indices` of the training split); a constant, no gradient. */
  rows(indices: tf.Tensor1D, x: tf.Tensor2D): tf.Tensor;
  /** True when computed once for the whole split (within the budget); false: per batch. */
  readonly cached: boolean;
  readonly bytes: number;
  dispose(): void;
}

/**
 * The teacher's representations on the training split in inference mode (dropout off, batch-norm on its
 * moving statistics): computed once when they fit `budget` bytes, else for each batch.
 */
export function teacherFeatures(
  teacher: FeatureModel,
  train: SplitTensors,
  batchSize: number,
  budget = TEACHER_FEATURES_BUDGET_BYTES,
): TeacherFeatures {
  const bytes = train.n * teacher.shape.reduce((a, b) => a * b, 1) * 4;
  if (bytes > budget) {
    return {
      cached: false,
      bytes,
      rows: (_indices, x) => tf.tidy(() => teacher.apply(x, false)[1]),
      dispose: () => undefined,
    };
  }
  const all = applyInBatches(train.x, batchSize, (batch) => teacher.apply(batch, false)[1]);
  return {
    cached: true,
    bytes,
    rows: (indices) => tf.gather(all, indices),
    dispose: () => all.dispose(),
  };
}

/** The representation shapes of a cell's student and teacher (the teacher's own model when it is loaded). */
export async function cellFeatureShapes(
  registry: Registry,
  config: ResolvedConfig,
  dataset: Dataset,
  loadModel: (file: string) => Promise<tf.LayersModel>,
): Promise<FeatureShapes> {
  const index = featureLayers(config.distillation);
  const shapeOf = async (role: 'student' | 'teacher'): Promise<number[]> => {
    const { load, layers } = config.models[role];
    if (!load) return plannedFeatureShape(registry, layers, dataset, index[role], role);
    const model = await loadModel(load);
    try {
      return loadedFeatureShape(model, index[role], role);
    } finally {
      model.dispose();
    }
  };
  return { student: await shapeOf('student'), teacher: await shapeOf('teacher') };
}

/**
 * Checks, before anything trains, that every cell's method can read the representations it names: the
 * layers exist, and the method accepts their shapes (attention transfer needs feature maps...).
 * @throws DistilError METHOD_FEATURES (exit 2) naming each cell and what to change.
 */
export async function assertMethodsFit(
  cells: readonly PlannedCell[],
  datasets: DatasetCache,
  registry: Registry,
): Promise<void> {
  const problems: string[] = [];
  for (const planned of cells) {
    const { config } = planned.cell;
    if (!readsRepresentations(registry, config.distillation)) continue;
    const { definition } = registry.get('loss', config.distillation.name);
    const data = await datasets.get(planned);
    const where = `cell ${planned.cell.id}${planned.label ? ` (${planned.label})` : ''}, distillation ${config.distillation.name}`;
    try {
      const shapes = await cellFeatureShapes(registry, config, data.dataset, (file) =>
        loadRoleModel(file, data.dataset),
      );
      const check = definition.kind === 'loss' ? definition.checkFeatures : undefined;
      const problem = check ? (check as CheckFeatures)(config.distillation.params, shapes, config.task) : undefined;
      if (problem) problems.push(`${where}: ${problem}`);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw errorMethodFeatures([...new Set(problems)]);
}

type CheckFeatures = (params: unknown, shapes: FeatureShapes, task: ResolvedConfig['task']) => string | undefined;
