// The trained models a run keeps in `<run dir>/models/<cell>/<seed>/<role>/`, with what each records of its cell.
import { copyFileSync, linkSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { warningModelNotSaved } from '../errors/index.js';
import { MODEL_FILE, saveModel } from '../results/index.js';
import { makeDirectories } from '../shared/index.js';
import type { SavedModelInfo } from '../results/index.js';
import { getVersion } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { ExecutionContext } from './context.js';
import type { LoadedData } from './dataset-cache.js';
import { roleKey } from './plan.js';
import type { PlannedCell } from './plan.js';
import type { RoleRun } from './role.js';

/** What a saved model records of its role and cell: enough to rebuild the dataset and evaluate it again. */
export function modelInfo(
  context: ExecutionContext,
  planned: PlannedCell,
  role: Role,
  run: RoleRun,
  data: LoadedData,
): SavedModelInfo {
  const { config } = planned.cell;
  const training = config.models[role].training;
  return {
    role,
    task: config.task,
    inputShape: data.dataset.featureShape,
    outputSize: data.dataset.outputSize,
    input: data.dataset.input,
    ...(data.dataset.featureColumns ? { featureColumns: data.dataset.featureColumns } : {}),
    ...classNames(config.task, data.dataset),
    dataset: config.dataset,
    seed: config.seed,
    ...(config.splitSeed === undefined ? {} : { splitSeed: config.splitSeed }),
    validation: config.validation,
    baseDir: context.experiment.baseDir,
    metrics: training.metrics,
    loss: training.loss,
    evaluationBatchSize: config.evaluation.batchSize,
    test: run.test,
    val: run.val,
    keptEpoch: run.keptEpoch,
    experiment: context.experiment.name,
    cellId: planned.cell.id,
  };
}

/** A classifier's class names: the dataset's, or the indices when the index is the name (MNIST's digits). */
function classNames(task: string, dataset: LoadedData['dataset']): { classNames?: readonly string[] } {
  if (task !== 'classification') return {};
  return { classNames: dataset.classNames ?? Array.from({ length: dataset.outputSize }, (_, k) => String(k)) };
}

/** How a model shared by several cells got into a later cell's directory. */
export type SharedBy = 'link' | 'copy';

/**
 * Puts the files of the model directory `from` into `to` (which must not exist) as hard links, so a model
 * shared by several cells is on disk once; a file system that refuses a hard link gets a copy instead.
 * The weights go first and model.json last, so that a directory with a model.json holds a whole model.
 * @param link how to link (for tests); `fs.linkSync` by default.
 * @throws the file system's error when a file can be neither linked nor copied.
 */
export function shareModelFiles(from: string, to: string, link: typeof linkSync = linkSync): SharedBy {
  makeDirectories(to);
  const files = readdirSync(from, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort((a, b) => Number(a === MODEL_FILE) - Number(b === MODEL_FILE));
  let by: SharedBy = 'link';
  for (const file of files) {
    try {
      link(path.join(from, file), path.join(to, file));
    } catch {
      // EXDEV, EPERM (no hard links on this file system), EMLINK (too many links): a copy is always possible.
      copyFileSync(path.join(from, file), path.join(to, file));
      by = 'copy';
    }
  }
  return by;
}

export class ModelSaver {
  /** Where each saved model went, by role and key: a model shared by later cells is linked from there. */
  private readonly saved = new Map<string, string>();

  constructor(private readonly context: ExecutionContext) {}

  /** Where the model of `planned`'s role was saved by another process of this run: the cells sharing it copy it. */
  adopt(planned: PlannedCell, role: Role, dir: string): void {
    this.saved.set(`${role}:${roleKey(planned, role)}`, dir);
  }

  /** Where this run saved the model of `planned`'s role, if it did. */
  savedDir(planned: PlannedCell, role: Role): string | undefined {
    return this.saved.get(`${role}:${roleKey(planned, role)}`);
  }

  /**
   * Saves a role's model under `<run dir>/models/<cell>/<seed>/<role>/` when the run keeps that role's
   * models; a model shared with an earlier cell (a person, a teacher) is saved once, in the first cell, and
   * hard-linked into the others (copied where the file system has no hard links).
   * A model that cannot be saved is a warning: the rows matter more than the files.
   */
  async save(planned: PlannedCell, role: Role, run: RoleRun | string | undefined, data: LoadedData): Promise<void> {
    const { saveModels, runDir } = this.context;
    if (typeof run !== 'object' || !(saveModels === 'all' || (saveModels === 'teacher' && role === 'teacher'))) return;
    const dir = path.join(runDir, 'models', planned.cell.id, String(planned.cell.seed), role);
    const key = `${role}:${roleKey(planned, role)}`;
    try {
      const earlier = this.saved.get(key);
      if (earlier && earlier !== dir) {
        rmSync(dir, { recursive: true, force: true });
        shareModelFiles(earlier, dir);
      } else {
        await saveModel(dir, run.model, modelInfo(this.context, planned, role, run, data), getVersion());
      }
      this.saved.set(key, dir);
    } catch (error) {
      this.context.reporter.warn(warningModelNotSaved(role, dir, (error as Error).message));
    }
  }
}
