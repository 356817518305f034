// What the resolver makes of a spec: the readonly config of one grid cell, as the runner reads it.
import type { Role, Task } from '../shared/index.js';
import type { ResolvedSearch } from './search.js';

/** A component chosen by name, with its params validated and defaults filled in. */
export interface ComponentRef {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface ResolvedTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: ComponentRef;
  /** The loss on the labels (teacher and person; the student uses `distillation`). */
  readonly loss: ComponentRef;
  readonly metrics: readonly ComponentRef[];
  readonly logEvery: number;
  readonly evalEvery: number;
  /** The learning rate is multiplied by this after every epoch (1: constant). */
  readonly lrDecay: number;
  /** Stop when a validation metric stops improving, keeping the best epoch's weights. */
  readonly earlyStopping?: EarlyStopping;
  /** The augmentations of every training batch, in order; absent when none (configs without keep their keys). */
  readonly augment?: readonly ComponentRef[];
}

/** `training.early_stopping`, resolved: the watched metric's column and direction. */
export interface EarlyStopping {
  /** The metric column without `val_`, e.g. `accuracy`. */
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly patience: number;
}

export interface ResolvedModel {
  readonly layers: readonly ComponentRef[];
  /** A saved model (absolute path of its model.json) used instead of layers: as it is for the teacher, as the starting weights otherwise. */
  readonly load?: string;
  readonly training: ResolvedTraining;
  /** The teacher's own seed (`models.teacher.seed`): the same teacher for every seed of the experiment. */
  readonly seed?: number;
}

/** Everything one grid cell needs to run. */
export interface ResolvedConfig {
  readonly seed: number;
  /**
   * The seed of the data's random splits (the dataset's seed: a table's train/test split, and the held-out
   * validation share) when it is not `seed`: by default every seed splits as the experiment's first seed
   * does (`splits: first-seed`). Absent when the cell splits with its own seed, so such configs keep their
   * keys; never part of a cell id (see {@link splitSeedOf}).
   */
  readonly splitSeed?: number;
  readonly task: Task;
  readonly dataset: ComponentRef;
  readonly models: Readonly<Record<Role, ResolvedModel>>;
  readonly distillation: ComponentRef;
  readonly evaluation: { readonly batchSize: number };
  /** The share of the training split held out, seeded, as the validation split (0: none). */
  readonly validation: number;
  /**
   * The dataset param that gives the dataset's own validation split (e.g. `validation_path`), when one
   * is set; then `validation` is 0. Absent otherwise, so that configs without one keep their ids.
   */
  readonly ownValidation?: string;
  /** The transfer set, when the spec chooses one (absent otherwise, so that configs keep their ids). */
  readonly transfer?: TransferSet;
}

/**
 * `distillation.transfer`: which training examples the student and the person train on (the teacher
 * trains on the whole training split). Classes are indices, sorted.
 */
export interface TransferSet {
  readonly excludeClasses?: readonly number[];
  readonly includeClasses?: readonly number[];
  /** At most this many of the examples the classes keep, drawn with the split seed. */
  readonly limit?: number;
}

/** The seed that draws a config's data splits: its split seed, else its own seed. */
export function splitSeedOf(config: ResolvedConfig): number {
  return config.splitSeed ?? config.seed;
}

/** Whether a config's roles have a validation split: a share held out, or the dataset's own. */
export function hasValidation(config: ResolvedConfig): boolean {
  return config.validation > 0 || config.ownValidation !== undefined;
}

/** One point of the grid: its overrides and the config they give. */
export interface ResolvedCell {
  /**
   * Stable content hash of the cell's config without its seed and split seed: the same grid point has the
   * same id for every seed, across runs and machines (rows are keyed by id, seed and role).
   */
  readonly id: string;
  /** The seed of this run of the cell (`config.seed`): one of `seeds:`, or `seed:`. */
  readonly seed: number;
  /** Position in the order cells run: grid points in order, each once per seed. */
  readonly index: number;
  /** Grid path → value for this cell (empty without a grid). */
  readonly overrides: Readonly<Record<string, unknown>>;
  /**
   * The overrides as people read them, `distillation.temperature=4, distillation=kd(temperature=2)`: a
   * component value by its name, or by its name and the params that tell it from the path's other entries
   * of that name (empty without a grid). The `cell` column, progress lines and --dry-run show it.
   */
  readonly label: string;
  readonly config: ResolvedConfig;
}

/** The experiment as the runner reads it. */
export interface ResolvedExperiment {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly baseDir: string;
  /** The spec after --set overrides, as plain data (recorded in the manifest). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** What changed the spec file's experiment when it was loaded (`--set`, `--grid`, `--plugin`): recorded in the manifest. */
  readonly specOverrides: SpecOverrides;
  readonly plugins: readonly string[];
  /** Every swept path and its values (a zip group's paths included). */
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  /** The axes of the cartesian product, in order: one path each, or the paths of a zip group. */
  readonly axes: readonly GridAxisSummary[];
  readonly cells: readonly ResolvedCell[];
  /** The selection stage, when the spec has `search:`; `cells` are then those of its first point until it has run. */
  readonly search?: SearchStage;
}

/** A resolved `search:` with the cells it trains and, for each possible winner, the cells after it. */
export interface SearchStage extends ResolvedSearch {
  /** The teacher of every search point, once per seed (point by point). */
  readonly cells: readonly ResolvedCell[];
  /** The cell id of each point's teacher (the same for all its seeds). */
  readonly pointIds: readonly string[];
  /** For each point, the experiment's cells when that point wins (teacher and carried values set). */
  readonly finals: ReadonlyArray<readonly ResolvedCell[]>;
  /**
   * Successive halving: the epochs of each rung (the last is the teacher's training.epochs), and the share
   * (1 / eta) of a rung's points that goes on to the next.
   */
  readonly halving?: { readonly eta: number; readonly rungs: readonly number[] };
}

/** The changes given besides the spec file, each as typed and in the order given (empty lists when none). */
export interface SpecOverrides {
  /** `path=value`, as given to `--set`. */
  readonly set: readonly string[];
  /** `path=[values]`, as given to `--grid`. */
  readonly grid: readonly string[];
  /** Plugin modules loaded besides the spec's `plugins:` (`--plugin`). */
  readonly plugins: readonly string[];
}

/** One axis of the grid as `--dry-run` shows it. */
export interface GridAxisSummary {
  /** The swept paths: one, or a zip group's. */
  readonly paths: readonly string[];
  /** How many values each path takes. */
  readonly length: number;
}
