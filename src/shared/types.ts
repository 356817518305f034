// The words every stage shares: the three roles, the two tasks, and a split of a dataset in memory.

/** The large model, the distilled small model, and the small model trained on labels alone (the baseline). */
export type Role = 'teacher' | 'student' | 'person';

/** The roles in the order a cell trains them. */
export const ROLES = ['teacher', 'student', 'person'] as const satisfies readonly Role[];

export type Task = 'classification' | 'regression';

/** One split of a dataset held in typed arrays: `x` is row-major `[n, ...featureShape]`. */
export interface DataSplit {
  readonly x: Float32Array;
  /** Class indices (classification) or target values (regression). */
  readonly y: Int32Array | Float32Array;
  readonly n: number;
}

/**
 * A column of a table that features are read from, as a dataset describes it and a saved model records it
 * (so that `predict` selects and encodes a CSV's columns as the training did).
 */
export interface FeatureColumn {
  /** The column's name in the file's header; absent when the file has no header (its columns are positional). */
  readonly name?: string;
  /**
   * A categorical column's values, sorted: one 0/1 feature per value, in this order (`<name>=<value>`).
   * Absent for a numeric column (one feature, its value).
   */
  readonly categories?: readonly string[];
}

/** A batch as a loss's `rows` takes it: plain arrays, `n` rows of `columns` values each. */
export interface RowLossBatch {
  readonly n: number;
  readonly columns: number;
  /** The training epoch of the batch, from 1, as `LossInputs.epoch` (a warm-up reads it). */
  readonly epoch: number;
  /** The model's outputs (logits, or the prediction), `n * columns` values row by row. */
  readonly prediction: Float32Array;
  /** Class indices (classification) or target values (regression), one per row. */
  readonly target: Int32Array | Float32Array;
  /** The teacher's outputs after `prepareTeacher`, row-aligned with `prediction`. */
  readonly teacher?: Float32Array;
  /** Filled by `rows` with d(loss)/d(prediction), the same shape as `prediction`. */
  readonly grad: Float32Array;
}
