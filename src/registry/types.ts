// The public component and plugin types: what a built-in or a user's plugin declares.
import type * as tf from '@tensorflow/tfjs';
import type { DataSplit, FeatureColumn, RowLossBatch, Task } from '../shared/index.js';

export type { RowLossBatch };

/** The kinds of component the registry holds. */
export type ComponentKind = 'dataset' | 'layer' | 'augmentation' | 'loss' | 'optimizer' | 'metric';

export const COMPONENT_KINDS: readonly ComponentKind[] = [
  'dataset',
  'layer',
  'augmentation',
  'loss',
  'optimizer',
  'metric',
];

/** A JSON Schema object (draft-07 / 2019 subset that ajv understands). */
export type JsonSchema = { readonly [key: string]: unknown };

/** What a dataset component produces. */
export interface Dataset {
  readonly task: Task;
  /** Shape of one example as the splits hold it (flat), e.g. `[784]`. */
  readonly featureShape: readonly number[];
  /**
   * The example as an image, `[height, width, channels]` (e.g. `[28, 28, 1]`), for datasets of images:
   * a model whose first layer takes images reshapes its input to this. Absent for tabular data.
   */
  readonly imageShape?: readonly number[];
  /** Number of classes (classification) or 1 (regression). */
  readonly outputSize: number;
  /**
   * The name of each class, by class index (`classNames[k]` is class k), when the labels have names
   * (a CSV's labels, Fashion-MNIST's garments); absent when the index is the name (MNIST's digits).
   */
  readonly classNames?: readonly string[];
  readonly train: DataSplit;
  /** A validation split the dataset brings itself (e.g. from a validation file); else `dataset.validation` holds one out of `train`. */
  readonly validation?: DataSplit;
  readonly test: DataSplit;
  /**
   * How raw feature values become the examples, per feature: (x - shift) * scale (e.g. pixels / 255, or
   * standardisation with the training split's statistics). Saved with each model, so predictions on raw
   * inputs are scaled as the training data was. Omitted when the features are used as they are.
   */
  readonly input?: { readonly shift: readonly number[]; readonly scale: readonly number[] };
  /**
   * The table columns the features are made from, in order, for a dataset read from a table (a CSV): each
   * numeric column gives one feature, each categorical one a 0/1 feature per category. Saved with each model,
   * so `predict` picks an input file's columns by header name and encodes categories as the training did.
   */
  readonly featureColumns?: readonly FeatureColumn[];
  /** Free-form facts recorded in the manifest (source path, checksum, split seed...). */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * What an augmentation component creates: a random transformation of a training batch of images, drawn
 * again for every batch of every epoch (no transformed copy of the data is stored).
 */
export interface Augmentation {
  /**
   * A transformed copy of `images` (`[n, height, width, channels]`, the dataset's scaled values), of the
   * same shape. `seed` differs for every epoch and batch of a role's training and is the same in every
   * run: draw the transformation from it alone (e.g. with a generator seeded by it), so a run repeats.
   */
  apply(images: tf.Tensor4D, seed: number): tf.Tensor4D;
}

/** What a loss is given besides the prediction, the targets and the teacher's outputs. */
export interface LossInputs {
  /**
   * The training epoch of the batch, from 1 (a warm-up reads it). The untrained loss, which the divergence
   * rule compares the last epoch with, is computed as at the last epoch.
   */
  readonly epoch: number;
  /**
   * The student's representation at the method's `features.student` layer, `[n, width]` or
   * `[n, height, width, channels]`, for losses whose definition sets `representations`; gradients flow through it.
   */
  readonly studentFeatures?: tf.Tensor;
  /** The teacher's representation at `features.teacher`, computed in inference mode (a constant). */
  readonly teacherFeatures?: tf.Tensor;
}

/**
 * A loss over a batch. `target` holds class indices (int32) or values; `teacher` the teacher's outputs
 * (after `prepareTeacher`), row-aligned with the batch. `compute` returns the batch's mean loss as a scalar
 * and must be made of tensor operations (tfjs differentiates it).
 */
export interface Loss {
  /**
   * Transforms the teacher's outputs on a whole split once, before any batch (e.g. to softened
   * log-probabilities); `compute` then receives rows of the result. Identity when absent.
   */
  prepareTeacher?(outputs: tf.Tensor2D): tf.Tensor2D;
  compute(prediction: tf.Tensor2D, target: tf.Tensor, teacher?: tf.Tensor2D, inputs?: LossInputs): tf.Scalar;
  /**
   * The same loss on plain arrays: fills `batch.grad` with its gradient and returns its mean over the
   * batch. With it (and a model and optimizer the compiled step covers) a role trains through the
   * compiled step, which never calls `compute`; it must then agree with `compute` to float rounding
   * (tests hold the built-in losses to that). Optional: without it the role trains on tfjs's path.
   */
  rows?(batch: RowLossBatch): number;
  /**
   * Trainable weights the loss owns, not part of the student (FitNets' regressor): trained with the
   * student's optimizer, counted in the `extra_params` column, never saved with the student.
   */
  readonly variables?: readonly tf.Variable[];
  /** Frees `variables` (called when the role ends). */
  dispose?(): void;
}

/** The shapes of the two representations a method reads (one example's, without the batch axis). */
export interface FeatureShapes {
  readonly student: readonly number[];
  readonly teacher: readonly number[];
}

/** What a metric component creates: the computation over the whole test split. */
export interface MetricFunction {
  compute(prediction: tf.Tensor2D, target: tf.Tensor, context: MetricContext): tf.Scalar;
}

/** The static facts of a metric, known from its definition (and its params) without creating it. */
export interface MetricFacts {
  /** Column suffix in the results table: `test_<column>`. */
  readonly column: string;
  readonly higherIsBetter: boolean;
}

/**
 * What a metric's `checkDataset` is told of the dataset: the task and the number of classes, from the
 * dataset definition before any data is read (`classes` undefined when it depends on the data), or from
 * the loaded data before a run (then with each split's examples per class).
 */
export interface MetricDatasetFacts {
  readonly task: Task;
  /** Number of classes (classification); undefined when not known before the data is read. */
  readonly classes?: number;
  readonly classNames?: readonly string[];
  /** Examples of each class in each split, by class index, once the data is loaded. */
  readonly classCounts?: Readonly<Partial<Record<'test' | 'validation', readonly number[]>>>;
}

/** A metric as the runner uses it: the definition's facts and the created computation. */
export interface Metric extends MetricFacts, MetricFunction {}

export interface MetricContext {
  readonly task: Task;
  /** The role's own training loss (labels only), for the `loss` metric. */
  readonly loss: Loss;
}

/** What every `create()` receives besides its params. */
export interface ComponentContext {
  /**
   * The TensorFlow.js instance distil-run computes with: a plugin uses it instead of importing
   * `@tensorflow/tfjs` (which a plugin outside the project could not resolve, and another copy of which
   * would make tensors of another engine).
   */
  readonly tf: typeof tf;
  /** Seed for anything random the component does (initialisers, dropout); a dataset gets the seed of its splits (see `splits:`). */
  readonly seed: number;
  /** Directory of the spec file, for resolving relative paths. */
  readonly baseDir: string;
  readonly task?: Task;
  /** For layers: true for the first layer of a model, which must declare the input shape. */
  readonly inputShape?: readonly number[];
  /** For losses that set `representations`: the shapes of the student's and the teacher's representations. */
  readonly features?: FeatureShapes;
}

interface ComponentBase {
  readonly name: string;
  /** One line shown by `distil-run list`. */
  readonly description: string;
  /** JSON Schema of the params object; `additionalProperties: false` is added when absent. */
  readonly params: JsonSchema;
  /** Tasks the component applies to; all when absent. */
  readonly tasks?: readonly Task[];
}

/** A component definition. `P` is the params object after defaults are filled in. */
export type ComponentDefinition<P = Record<string, unknown>> =
  | (ComponentBase & {
      kind: 'dataset';
      /** The task the dataset poses, known before any data is read (it picks default losses). */
      task: Task | ((params: P) => Task);
      /**
       * Params that, when set, make the dataset bring its own validation split (`Dataset.validation`), e.g.
       * `validation_path`: the resolver then refuses `dataset.validation` beside them, and lets early
       * stopping and a search use the dataset's split. @default none
       */
      validationParams?: readonly string[];
      /**
       * The number of classes, when it is known before any data is read (MNIST's 10): metrics that name a
       * class are then checked when the spec is validated. Undefined (or absent) when the data tells. @default none
       */
      classes?: number | ((params: P) => number | undefined);
      create(params: P, context: ComponentContext): Promise<Dataset>;
      /**
       * Checks the data files without loading them all, for `validate --data`: that they exist and can be read,
       * their headers and the columns the params name, and that the first `rows` rows of each parse as `create`
       * parses them (with the same functions). Returns one line per file, saying what was checked. Absent:
       * `validate --data` calls `create` and so reads the whole dataset. @default none
       * @throws DistilError as `create` would, for the problems it finds.
       */
      checkData?(params: P, context: ComponentContext, rows: number): Promise<readonly string[]>;
    })
  | (ComponentBase & {
      kind: 'layer';
      /**
       * The input the layer takes: `image` (`[height, width, channels]`: convolution, pooling), `flat`
       * (`[features]`: dense) or `any`. A model inserts a reshape to the dataset's image shape, or a
       * flatten, where the layer before gives the other kind. @default 'any'
       */
      input?: 'image' | 'flat' | 'any';
      /**
       * The output shape and parameter count for an input shape, without building the layer (the wasm
       * memory check sizes models with it). Absent: the layer keeps its input's shape and has no parameters.
       */
      shape?(params: P, input: readonly number[]): { output: number[]; params: number };
      create(params: P, context: ComponentContext): tf.layers.Layer;
    })
  | (ComponentBase & {
      kind: 'augmentation';
      /** Takes image datasets only (`Dataset.imageShape`): a run on tabular data is refused before training. */
      create(params: P, context: ComponentContext): Augmentation;
    })
  | (ComponentBase & {
      kind: 'loss';
      /** True for distillation losses, which need the teacher's outputs (usable as `distillation:`). @default false */
      needsTeacher?: boolean;
      /**
       * True for methods that read hidden representations (`LossInputs.studentFeatures` and
       * `teacherFeatures`): their params have `features: { student, teacher }`, the layer of each model
       * whose output they read. @default false
       */
      representations?: boolean;
      /**
       * Why the method cannot use representations of these shapes (e.g. attention transfer on dense
       * layers), checked before anything trains; undefined when it can.
       */
      checkFeatures?(params: P, shapes: FeatureShapes, task: Task): string | undefined;
      create(params: P, context: ComponentContext): Loss;
    })
  | (ComponentBase & { kind: 'optimizer'; create(params: P, context: ComponentContext): tf.Optimizer })
  | (ComponentBase & {
      kind: 'metric';
      /**
       * Column suffix in the results table (`test_<column>`): a string, or a function of the params for a
       * metric whose column depends on them (`class_accuracy` with `class: 3` writes `accuracy_class_3`);
       * it must give lower-case letters, digits and "_". @default the name, with "-" as "_"
       */
      column?: string | ((params: P) => string);
      /**
       * For a column that is a function: a pattern every column it gives matches (`/^accuracy_class_\d+$/`),
       * so commands that read only a table (compare, best, summarize, report) know the column's direction.
       * Without one, such columns are of unknown direction there. @default none
       */
      columnPattern?: RegExp;
      /** Which direction is better: compare, the gain and selections read it. */
      higherIsBetter: boolean;
      /**
       * Why the metric cannot be computed on this dataset (a class it does not have), checked before anything
       * trains: when the spec is resolved, with what the dataset definition tells, and before a run, with the
       * loaded data. Undefined when it can. @default none
       */
      checkDataset?(params: P, dataset: MetricDatasetFacts): string | undefined;
      create(params: P, context: ComponentContext): MetricFunction;
    });

/** A metric's definition, of any params. */
export type MetricDefinition = Extract<ComponentDefinition<never>, { kind: 'metric' }>;

/**
 * A metric definition's column and direction for these params (its `column` function is given them; the
 * params a resolved spec holds, validated and with defaults filled).
 * @throws what a plugin's `column` function throws.
 */
export function metricFacts(definition: MetricDefinition, params: Readonly<Record<string, unknown>> = {}): MetricFacts {
  const { column } = definition;
  const written = typeof column === 'function' ? (column as (p: unknown) => string)(params) : column;
  return { column: written ?? definition.name.replace(/-/g, '_'), higherIsBetter: definition.higherIsBetter };
}

/** The factory type of one kind, e.g. `CreatedBy<'loss'>` is `Loss`. */
export type CreatedBy<K extends ComponentKind> = ReturnType<Extract<ComponentDefinition, { kind: K }>['create']>;

/** A plugin: a name and the components it registers. */
export interface Plugin {
  readonly name: string;
  readonly components: readonly ComponentDefinition<never>[];
}

/** Typing helper for a component file: returns its argument unchanged. */
export function defineComponent<P>(definition: ComponentDefinition<P>): ComponentDefinition<P> {
  return definition;
}

/** Typing helper for plugins, built-in and third-party alike: returns its argument unchanged. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

/**
 * On a built-in dropout layer: the function that gives the seed of its next training mask (and moves the
 * sequence on). The compiled training step draws the masks tfjs would from it.
 */
export const DROPOUT_SEEDS: unique symbol = Symbol.for('distil-run: dropout seeds');
