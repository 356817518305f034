// Executes a plan: per teacher config train once, reuse its outputs for every student cell, write rows as they finish.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DistilError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { Metric } from '../registry/types.js';
import { writeManifest } from '../results/manifest.js';
import type { Row } from '../results/writer.js';
import { RunWriter } from '../results/writer.js';
import { selectBackend } from '../backend/select.js';
import type { BackendInfo, BackendRequest } from '../backend/select.js';
import type { BlasRequest } from '../backend/blas.js';
import type { ResolvedExperiment } from '../config/experiment.js';
import type { Role } from '../config/resolve.js';
import { disposeData, loadData } from './data.js';
import type { LoadedData } from './data.js';
import { createComponent, predictInBatches } from './model.js';
import { planRun } from './plan.js';
import type { PlannedCell, Shard } from './plan.js';
import { ListrReporter } from './reporter.js';
import type { Reporter, RoleStatus } from './reporter.js';
import { buildRoleModel, runRole } from './role.js';
import { defaultTeacherCacheDir, loadTeacher, saveTeacher, teacherStem } from './teacher-cache.js';
import { getVersion } from '../results/manifest.js';
import type { RoleRun } from './role.js';

export interface RunOptions {
  /** @default 'auto' */
  readonly backend?: BackendRequest;
  /** System BLAS for the wasm backend's matrix products: 'auto', 'off' or a library path. @default 'auto' */
  readonly blas?: BlasRequest;
  /** Root of the results tree. @default 'results' */
  readonly outDir?: string;
  /** Run id; reusing one resumes that run, skipping cells it finished. @default a UTC timestamp */
  readonly runId?: string;
  readonly shard?: Shard;
  readonly reporter?: Reporter;
  /** Aborting stops training at the next batch; finished rows stay written. */
  readonly signal?: AbortSignal;
  /** Directory of trained teachers reused across runs, or false to always train. @default ~/.cache/distil-run/teachers */
  readonly teacherCache?: string | false;
}

export type RunStatus = 'ok' | 'failed' | 'interrupted';

export interface RunSummary {
  readonly runId: string;
  readonly runDir: string;
  readonly backend: BackendInfo;
  /** The results rows written by this invocation, in order. */
  readonly rows: readonly Row[];
  readonly status: RunStatus;
}

interface TeacherEntry {
  readonly run?: RoleRun;
  /** 'cache' when the weights were loaded from the teacher cache instead of trained in this run. */
  readonly source?: 'trained' | 'cache';
  /** The teacher's outputs on the training split, computed once and reused by every student. */
  readonly trainOutputs?: tf.Tensor2D;
  readonly error?: string;
}

/** A sortable UTC timestamp id: 20261122-143005. */
export function defaultRunId(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The metric columns of the results table: every metric of every role of every cell, in first-seen order. */
export function metricColumns(experiment: ResolvedExperiment, registry: Registry): string[] {
  const columns = new Set<string>();
  for (const cell of experiment.cells) {
    for (const model of Object.values(cell.config.models)) {
      for (const ref of model.training.metrics) {
        columns.add(createComponent<Metric>(registry, 'metric', ref, { seed: 0, baseDir: experiment.baseDir }).column);
      }
    }
  }
  return [...columns];
}

function round(value: number, digits = 6): number {
  return Number(value.toPrecision(digits));
}

/** Test metrics as table columns: `{ accuracy: 0.98 }` → `{ test_accuracy: 0.98 }`, rounded. */
function testColumns(test: Readonly<Record<string, number>> | undefined): Row {
  return Object.fromEntries(Object.entries(test ?? {}).map(([k, v]) => [`test_${k}`, round(v)]));
}

/** Test metrics for a progress line: `loss 0.0917, accuracy 0.9810`. */
function describeMetrics(test: Readonly<Record<string, number>>): string {
  return Object.entries(test).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
}

class Execution {
  readonly rows: Row[] = [];
  private readonly teachers = new Map<string, TeacherEntry>();
  private readonly datasets = new Map<string, LoadedData>();
  private failed = false;

  constructor(
    private readonly experiment: ResolvedExperiment,
    private readonly registry: Registry,
    private readonly writer: RunWriter,
    private readonly reporter: Reporter,
    private readonly runId: string,
    private readonly backend: string,
    private readonly signal?: AbortSignal,
    private readonly teacherCache: string | false = false,
    /** Identifies the arithmetic (backend, and BLAS or not): cached teachers are only reused under the same. */
    private readonly numerics: string = backend,
  ) {}

  get status(): RunStatus {
    return this.failed ? 'failed' : 'ok';
  }

  private row(planned: PlannedCell, role: Role, run: RoleRun | undefined, status: RoleStatus, error = '', source = run ? 'trained' : ''): Row {
    const { config } = planned.cell;
    const training = config.models[role].training;
    const tests = testColumns(run?.test);
    return {
      run_id: this.runId, experiment: this.experiment.name, cell_id: planned.cell.id, cell: planned.label, role,
      seed: config.seed, backend: this.backend, params: run?.params, epochs: training.epochs, batch_size: training.batchSize,
      train_seconds: run ? round(run.trainSeconds, 4) : undefined, train_samples_per_sec: run ? Math.round(run.samplesPerSec) : undefined,
      ...tests, inference_ms_per_1000: run ? round(run.inferenceMsPer1000, 4) : undefined, source, status, error,
    };
  }

  private async emit(row: Row): Promise<void> {
    if (row.status === 'failed') this.failed = true;
    this.rows.push(row);
    await this.writer.appendResult(row);
  }

  private async data(planned: PlannedCell): Promise<LoadedData> {
    let data = this.datasets.get(planned.datasetKey);
    if (!data) {
      data = await loadData(this.registry, planned.cell.config, this.experiment.baseDir);
      this.datasets.set(planned.datasetKey, data);
    }
    return data;
  }

  /** Trains a role with progress reporting and history rows; failures become a status, not a crash. */
  private async train(planned: PlannedCell, role: Role, data: LoadedData, teacherTrain?: tf.Tensor2D): Promise<RoleRun | string> {
    const event = { cellId: planned.cell.id, cellLabel: planned.label, role };
    const training = planned.cell.config.models[role].training;
    try {
      const run = await runRole({
        registry: this.registry, config: planned.cell.config, role, data, baseDir: this.experiment.baseDir, teacherTrain, signal: this.signal,
        onModel: (model) => this.reporter.roleStart({ ...event, epochs: training.epochs, detail: `${model.countParams().toLocaleString('en-US')} params, ${training.epochs} epochs, batch ${training.batchSize}, ${training.optimizer.name}` }),
        onProgress: (progress) => this.reporter.step?.({ ...event, epochs: training.epochs, ...progress }),
        onEpoch: (record) => {
          this.reporter.epoch({ ...event, epochs: training.epochs, logEvery: training.logEvery, record });
          // Queued now, on disk before the next role starts: a crash keeps every finished epoch.
          void this.writer.appendHistory([{ run_id: this.runId, cell_id: planned.cell.id, role, epoch: record.epoch, train_loss: round(record.trainLoss), seconds: round(record.seconds, 4), samples_per_sec: Math.round(record.samplesPerSec), ...testColumns(record.test) }]);
        },
      });
      this.reporter.roleEnd({ ...event, status: 'ok', summary: `${describeMetrics(run.test)} (${run.trainSeconds.toFixed(1)} s)` });
      return run;
    } catch (error) {
      const interrupted = error instanceof DistilError && error.code === 'INTERRUPTED';
      this.reporter.roleEnd({ ...event, status: interrupted ? 'interrupted' : 'failed', summary: (error as Error).message });
      if (interrupted) throw error;
      return (error as Error).message;
    } finally {
      await this.writer.flush();
    }
  }

  /** A teacher from the cache, if this exact teacher (config, backend, version) was trained before. */
  private cachedTeacher(planned: PlannedCell, data: LoadedData, stem: string): RoleRun | undefined {
    const loaded = loadTeacher(stem, () => buildRoleModel(this.registry, planned.cell.config, 'teacher', data.dataset, this.experiment.baseDir));
    if (!loaded) return undefined;
    const { model } = loaded;
    return { role: 'teacher', model, params: model.countParams(), history: [], metrics: [], ...loaded.summary };
  }

  private async teacher(planned: PlannedCell, data: LoadedData): Promise<TeacherEntry> {
    const known = this.teachers.get(planned.teacherKey);
    if (known) return known;
    const stem = this.teacherCache ? teacherStem(this.teacherCache, planned.teacherKey, this.numerics, getVersion()) : undefined;
    const cached = stem ? this.cachedTeacher(planned, data, stem) : undefined;
    let result: RoleRun | string;
    if (cached) {
      const event = { cellId: planned.cell.id, cellLabel: planned.label, role: 'teacher' };
      await this.reporter.roleStart({ ...event, epochs: 0, detail: `loading ${path.basename(stem ?? '')} from the teacher cache` });
      this.reporter.roleEnd({ ...event, status: 'ok', summary: `from the teacher cache (${describeMetrics(cached.test)})` });
      result = cached;
    } else {
      result = await this.train(planned, 'teacher', data);
      if (stem && typeof result === 'object') saveTeacher(stem, result.model, result);
    }
    const entry: TeacherEntry =
      typeof result === 'string'
        ? { error: result }
        : { run: result, source: cached ? 'cache' : 'trained', trainOutputs: predictInBatches(result.model, data.train.x, planned.cell.config.evaluation.batchSize) };
    this.teachers.set(planned.teacherKey, entry);
    return entry;
  }

  /** Runs a cell's three roles; each row is on disk before the next role starts (the student's waits for the person's gain). */
  async cell(planned: PlannedCell): Promise<void> {
    const data = await this.data(planned);
    let teacher: TeacherEntry;
    try {
      teacher = await this.teacher(planned, data);
    } catch (error) {
      await this.emit(this.row(planned, 'teacher', undefined, 'interrupted', (error as Error).message));
      throw error;
    }
    await this.emit(teacher.run ? this.row(planned, 'teacher', teacher.run, 'ok', '', teacher.source) : this.row(planned, 'teacher', undefined, 'failed', teacher.error));
    if (!teacher.run) {
      for (const role of ['student', 'person'] as const) await this.emit(this.row(planned, role, undefined, 'skipped', 'the teacher failed'));
      return;
    }
    let student: RoleRun | string | undefined;
    let person: RoleRun | string | undefined;
    try {
      student = await this.train(planned, 'student', data, teacher.trainOutputs);
      person = await this.train(planned, 'person', data);
    } finally {
      await this.emitPair(planned, student, person);
    }
  }

  private async emitPair(planned: PlannedCell, student: RoleRun | string | undefined, person: RoleRun | string | undefined): Promise<void> {
    const asRow = (role: Role, run: RoleRun | string | undefined): Row =>
      run === undefined ? this.row(planned, role, undefined, 'interrupted', 'interrupted before it finished')
      : typeof run === 'string' ? this.row(planned, role, undefined, 'failed', run)
      : this.row(planned, role, run, 'ok');
    const studentRow = asRow('student', student);
    if (typeof student === 'object' && typeof person === 'object') Object.assign(studentRow, gain(student, person));
    await this.emit(studentRow);
    await this.emit(asRow('person', person));
    for (const run of [student, person]) if (typeof run === 'object') run.model.dispose();
  }

  dispose(): void {
    for (const entry of this.teachers.values()) {
      entry.run?.model.dispose();
      entry.trainOutputs?.dispose();
    }
    for (const data of this.datasets.values()) disposeData(data);
  }
}

/** The student's primary metric minus the person's, signed so that positive means distillation helped. */
export function gain(student: RoleRun, person: RoleRun): { distillation_gain?: number; gain_metric?: string } {
  const metric = student.metrics.find((m) => m.column !== 'loss') ?? student.metrics[0];
  if (!metric || !(metric.column in student.test) || !(metric.column in person.test)) return {};
  // Subtract the values as the table shows them, so float32 noise does not show up as a gain.
  const difference = round(student.test[metric.column]) - round(person.test[metric.column]);
  return { distillation_gain: round(metric.higherIsBetter ? difference : -difference), gain_metric: metric.column };
}

/**
 * Runs an experiment: selects the backend, plans the cells (skipping those a resumed run finished),
 * trains teacher, student and person per cell, and writes results.csv, history.csv and manifest.json.
 * @throws DistilError INTERRUPTED when `signal` aborts (finished rows stay written), BACKEND_UNAVAILABLE.
 */
export async function runExperiment(experiment: ResolvedExperiment, registry: Registry, options: RunOptions = {}): Promise<RunSummary> {
  const backend = await selectBackend(options.backend ?? 'auto', { blas: options.blas });
  const runId = options.runId ?? defaultRunId();
  const runDir = path.join(options.outDir ?? 'results', experiment.name, runId);
  const writer = new RunWriter(runDir, metricColumns(experiment, registry));
  const finished = finishedCells(writer);
  const plan = planRun(experiment, { shard: options.shard, finished });
  const reporter = options.reporter ?? new ListrReporter();
  const started = new Date();
  const teacherCache = options.teacherCache === undefined ? defaultTeacherCacheDir() : options.teacherCache;
  const numerics = backend.blas ? `${backend.name}-blas` : backend.name;
  const execution = new Execution(experiment, registry, writer, reporter, runId, backend.name, options.signal, teacherCache, numerics);
  reporter.runStart({ experiment: experiment.name, runDir, backend: describeBackend(backend), cells: plan.cells.length, skippedCells: plan.done.length });
  writeManifest(writer, { experiment, runId, backend, started, status: 'running', shard: options.shard });
  let status: RunStatus = 'ok';
  try {
    for (const planned of plan.cells) await execution.cell(planned);
    status = execution.status;
  } catch (error) {
    status = error instanceof DistilError && error.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
    throw error;
  } finally {
    execution.dispose();
    await writer.flush();
    writeManifest(writer, { experiment, runId, backend, started, finished: new Date(), status, shard: options.shard });
    await reporter.runEnd();
  }
  return { runId, runDir, backend, rows: execution.rows, status };
}

/** Cell ids whose three roles all finished in an earlier run with this run id. */
function finishedCells(writer: RunWriter): Set<string> {
  const okRoles = new Map<string, Set<string>>();
  for (const record of writer.existingResults()) {
    if (record.status !== 'ok') continue;
    const roles = okRoles.get(record.cell_id) ?? new Set<string>();
    roles.add(record.role);
    okRoles.set(record.cell_id, roles);
  }
  return new Set([...okRoles].filter(([, roles]) => roles.size === 3).map(([id]) => id));
}

/** One line for the log: `wasm + OpenBLAS libopenblas.so.0 (sgemm 140 GFLOP/s) (skipped tensorflow: ...)`. */
export function describeBackend(backend: BackendInfo): string {
  const blas = backend.blas ? ` + BLAS ${backend.blas.library} (sgemm ${backend.blas.sgemmGflops} GFLOP/s)` : '';
  const noBlas = backend.name === 'wasm' && backend.blasSkipped ? ` (no BLAS: ${backend.blasSkipped})` : '';
  const skipped = backend.skipped.length > 0 ? ` (skipped ${backend.skipped.join('; ')})` : '';
  return `${backend.name}${blas}${noBlas}${skipped}`;
}
