// What the resolver makes of a spec: the readonly config of one grid cell, as the runner reads it.
import type { Role, Task } from '../shared/index.js';

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
}

/** Everything one grid cell needs to run. */
export interface ResolvedConfig {
  readonly seed: number;
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
}

/** Whether a config's roles have a validation split: a share held out, or the dataset's own. */
export function hasValidation(config: ResolvedConfig): boolean {
  return config.validation > 0 || config.ownValidation !== undefined;
}
