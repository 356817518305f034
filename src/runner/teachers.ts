// The teachers of a run: each distinct one trained once (or taken from the cache, a longer training or a saved
// model), kept with its outputs on the training split for every student that learns from it, freed when done.
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { warningTeacherCacheDamaged, warningTeacherCacheNotWritten } from '../errors/index.js';
import type { Loss } from '../registry/index.js';
import { getVersion } from '../shared/index.js';
import { withConfusion } from './confusion.js';
import { describeMetrics, roleEvent } from './context.js';
import type { ExecutionContext } from './context.js';
import type { LoadedData } from './dataset-cache.js';
import type { EpochsAxis } from './epochs-axis.js';
import { loadRoleModel } from './loaded-model.js';
import { createComponent, createMetric, predictInBatches } from './model.js';
import { runKey } from '../results/index.js';
import type { PlannedCell } from './plan.js';
import { buildRoleModel, timeInference } from './role.js';
import type { RoleRun } from './role.js';
import type { RoleTrainer } from './role-training.js';
import { modelInfo } from './saved-models.js';
import { hasTeacher, loadTeacher, saveTeacher, teacherStem } from './teacher-cache.js';
import { evaluate } from './train.js';

/** A cell's teacher as the cells that share it use it. */
export interface TeacherEntry {
  readonly run?: RoleRun;
  /** 'cache' when the weights were loaded from the teacher cache instead of trained in this run. */
  readonly source?: 'trained' | 'cache';
  /** The teacher's outputs on the training split, computed once and reused by every student. */
  readonly trainOutputs?: tf.Tensor2D;
  readonly error?: string;
  /** The run (cell and seed) whose training wrote the teacher's epochs to history.csv; other cells get a copy. */
  readonly trainedFor?: string;
}

export class Teachers {
  private readonly entries = new Map<string, TeacherEntry>();
  /** False while successive halving runs: every point trains, so that each is judged at its rungs. */
  readCache = true;

  constructor(
    private readonly context: ExecutionContext,
    private readonly trainer: RoleTrainer,
    private readonly axis: EpochsAxis,
  ) {}

  /** The cache entry of a teacher, when the run uses a cache. */
  private stem(key: string): string | undefined {
    const { teacherCache, numerics } = this.context;
    return teacherCache ? teacherStem(teacherCache, key, numerics, getVersion()) : undefined;
  }

  /** Whether this run holds the teacher of `key`, or the cache does: it is not trained again. */
  has(key: string): boolean {
    const stem = this.stem(key);
    return this.entries.has(key) || (stem !== undefined && hasTeacher(stem));
  }

  /** The cell's teacher: one this run holds, or loaded (`load:`), served by a longer training, from the cache, or trained. */
  async teacherOf(planned: PlannedCell, data: LoadedData): Promise<TeacherEntry> {
    const known = this.entries.get(planned.teacherKey);
    if (known) return known;
    // A teacher someone else trained is used as it is: no cache, no training.
    if (planned.cell.config.models.teacher.load) {
      return this.store(planned, await this.loaded(planned, data), data, undefined);
    }
    const stem = this.stem(planned.teacherKey);
    let result = await this.axis.takeServed(planned, 'teacher');
    const cached = result === undefined && stem && this.readCache ? this.cached(planned, data, stem) : undefined;
    if (cached) {
      const detail = `loading ${path.basename(stem ?? '')} from the teacher cache`;
      await this.trainer.reportNotTrained(
        planned,
        'teacher',
        detail,
        'ok',
        `from the teacher cache (${describeMetrics(cached.test)})`,
      );
      result = cached;
    } else {
      result ??= await this.axis.trainOrServe(planned, 'teacher', data);
      // A teacher halving stopped early is not the one its config describes.
      if (stem && typeof result === 'object' && result.prunedAt === undefined) {
        await this.saveToCache(planned, data, stem, result);
      }
    }
    return this.store(planned, result, data, cached ? 'cache' : 'trained');
  }

  /** Keeps a cell's teacher (or why it failed) for every cell sharing it, with its outputs on the training split. */
  private store(
    planned: PlannedCell,
    result: RoleRun | string,
    data: LoadedData,
    source: TeacherEntry['source'],
    trainedFor = source === 'trained' ? runKey(planned.cell.id, planned.cell.seed) : undefined,
  ): TeacherEntry {
    const entry: TeacherEntry =
      typeof result === 'string'
        ? { error: result }
        : {
            run: result,
            source,
            trainedFor,
            trainOutputs: predictInBatches(result.model, data.train.x, planned.cell.config.evaluation.batchSize),
          };
    this.entries.set(planned.teacherKey, entry);
    return entry;
  }

  /** The entry this run holds for a cell's teacher, if any (what another process is handed: see handoff.ts). */
  entryOf(planned: PlannedCell): TeacherEntry | undefined {
    return this.entries.get(planned.teacherKey);
  }

  /**
   * Takes a teacher another process of this run trained (or failed to) for the cell `trainedFor`, as if this
   * one had: the cells that share it get its row and epochs copied, as after a teacher trained here.
   */
  adopt(
    planned: PlannedCell,
    result: RoleRun | string,
    data: LoadedData,
    source: TeacherEntry['source'],
    trainedFor?: string,
  ): void {
    this.store(planned, result, data, source, trainedFor);
  }

  /** A teacher from the cache, if this exact teacher (config, backend, version) was trained before. */
  private cached(planned: PlannedCell, data: LoadedData, stem: string): RoleRun | undefined {
    const { registry, experiment, reporter } = this.context;
    const found = loadTeacher(stem, () =>
      buildRoleModel(registry, planned.cell.config, 'teacher', data.dataset, experiment.baseDir),
    );
    if (!found.model) {
      if (found.damaged) reporter.warn(warningTeacherCacheDamaged(stem, found.damaged));
      return undefined;
    }
    const { model, summary } = found;
    const run: RoleRun = { role: 'teacher', model, params: model.countParams(), metrics: [], ...summary };
    return withConfusion(run, data, planned.cell.config.evaluation.batchSize);
  }

  private async saveToCache(planned: PlannedCell, data: LoadedData, stem: string, run: RoleRun): Promise<void> {
    try {
      await saveTeacher(stem, run.model, modelInfo(this.context, planned, 'teacher', run, data), run);
    } catch (error) {
      // The trained teacher is still used by this run; only later runs lose the shortcut.
      this.context.reporter.warn(warningTeacherCacheNotWritten((error as Error).message));
    }
  }

  /** A teacher someone else trained (`load:`): evaluated on this dataset's splits, never trained. */
  private async loaded(planned: PlannedCell, data: LoadedData): Promise<RoleRun | string> {
    const { registry, experiment, reporter } = this.context;
    const { config } = planned.cell;
    const { load, training } = config.models.teacher;
    const event = roleEvent(this.context, planned, 'teacher');
    await reporter.roleStart({ ...event, epochs: 0, detail: `loading ${load}` });
    try {
      const model = await loadRoleModel(load as string, data.dataset);
      const context = { seed: config.seed, baseDir: experiment.baseDir, task: config.task };
      const metrics = training.metrics.map((ref) => createMetric(registry, ref, context));
      const labelLoss = createComponent<Loss>(registry, 'loss', training.loss, context);
      const judged = { metrics, labelLoss, task: config.task, evalBatchSize: config.evaluation.batchSize };
      const test = evaluate(model, { ...judged, test: data.test });
      const val = data.validation ? evaluate(model, { ...judged, test: data.validation }) : undefined;
      reporter.roleEnd({ ...event, status: 'ok', summary: `loaded (${describeMetrics(test)})` });
      const run: RoleRun = {
        role: 'teacher',
        model,
        params: model.countParams(),
        history: [],
        trainSeconds: 0,
        samplesPerSec: 0,
        test,
        val,
        metrics,
        loaded: true,
        inferenceMsPer1000: timeInference(model, data.test.x, config.evaluation.batchSize),
      };
      return withConfusion(run, data, config.evaluation.batchSize);
    } catch (error) {
      const message = (error as Error).message;
      reporter.roleEnd({ ...event, status: 'failed', summary: message });
      return message;
    }
  }

  /** Frees a teacher's model and its outputs (its rows and epochs are written). */
  release(key: string): void {
    const entry = this.entries.get(key);
    entry?.run?.model.dispose();
    entry?.trainOutputs?.dispose();
    this.entries.delete(key);
  }

  dispose(): void {
    for (const key of [...this.entries.keys()]) this.release(key);
  }
}
