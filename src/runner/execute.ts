// Executes a plan: per teacher config train once, reuse its outputs for every student cell, write rows as they finish.
import type { Role } from '../shared/index.js';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DistilError, errorBackendFailure, errorInvalidArgument, errorNothingSelected } from '../errors.js';
import type { Registry } from '../registry/index.js';
import { writeManifest } from './manifest.js';
import { getVersion } from '../shared/index.js';
import { saveModel } from '../results/index.js';
import type { SavedModelInfo } from '../results/index.js';
import { axesOf, gain, historyRow, resultRow } from '../results/index.js';
import type { Row, RowContext, RowStatus } from '../results/index.js';
import { assertRunId, inspectRunDirectory, openRunDirectory } from '../results/index.js';
import { finishedRuns } from '../results/index.js';
import type { OpenRun, RunIdentity } from '../results/index.js';
import { writeRunSummary } from '../results/index.js';
import type { RunWriter } from '../results/index.js';
import { selectBackend } from '../backend/index.js';
import { isBackendFatal } from '../backend/index.js';
import type { BackendInfo, BackendRequest } from '../backend/index.js';
import type { BlasRequest } from '../backend/index.js';
import { contentHash } from '../shared/index.js';
import type { ResolvedCell, ResolvedExperiment, SearchStage } from '../config/index.js';
import { hasValidation } from '../config/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { DatasetCache } from './data.js';
import { assertCellsFit, assertModelsFit } from './memory-check.js';
import type { LoadedData } from './data.js';
import { createComponent, createMetric, metricFactsOf, predictInBatches } from './model.js';
import { epochsShareable, planRun, roleKey, runKey } from './plan.js';
import type { Plan } from './plan.js';
import { describeSelection, searchRowsFrom, selectWinner, writeSelection } from './selection.js';
import type { Selection } from './selection.js';
import type { PlannedCell, Shard } from './plan.js';
import { ListrReporter } from './reporter.js';
import type { Reporter } from './reporter.js';
import { buildRoleModel, runRole, timeInference } from './role.js';
import { loadRoleModel } from './loaded-model.js';
import { evaluate, historyOfRun } from './train.js';
import type { SaveModels } from './run-options.js';
import type { Loss } from '../registry/index.js';
import type { RoleRun } from './role.js';
import { checkTeacherCache, defaultTeacherCacheDir, hasTeacher, loadTeacher, saveTeacher, teacherStem } from './teacher-cache.js';


export interface RunOptions {
  /** @default 'auto' */
  readonly backend?: BackendRequest;
  /** System BLAS for the wasm backend's matrix products: 'auto', 'off' or a library path. @default 'auto' */
  readonly blas?: BlasRequest;
  /** Root of the results tree. @default 'results' */
  readonly outDir?: string;
  /** Run id; reusing one resumes that run (same experiment only), skipping cells it finished. @default a UTC timestamp and a random suffix */
  readonly runId?: string;
  /**
   * Run only this shard's cells; its tables go to `<run dir>/shard-i-of-n/`. With a `search:` and no
   * `selection`, only this shard's share of the search points (stage 1).
   */
  readonly shard?: Shard;
  /**
   * A results table holding every search point's teacher (the merged tables of the shards that ran the
   * search): the search is not run, its winner is selected from this table, and the cells after it run.
   */
  readonly selection?: string;
  readonly reporter?: Reporter;
  /** Aborting stops training at the next batch; finished rows stay written. */
  readonly signal?: AbortSignal;
  /** Directory of trained teachers reused across runs, or false to always train. @default ~/.cache/distil-run/teachers */
  readonly teacherCache?: string | false;
  /**
   * Which trained models to keep in `<run dir>/models/`: every role's, the teachers', none, or `auto`:
   * every role's for a run of up to {@link SAVE_ALL_UP_TO} cells, else the teachers'. @default 'auto'
   */
  readonly saveModels?: SaveModels | 'auto';
}

/** `--save-models auto` keeps every role's model for runs of up to this many cells (search points included). */
export const SAVE_ALL_UP_TO = 12;

export type RunStatus = 'ok' | 'failed' | 'interrupted';

export interface RunSummary {
  readonly runId: string;
  readonly runDir: string;
  readonly backend: BackendInfo;
  /** The results rows written by this invocation, in order. */
  readonly rows: readonly Row[];
  readonly status: RunStatus;
  /** summary.csv's rows: per cell and role over the run's seeds (the whole run directory, resumed rows too). */
  readonly summary: readonly Row[];
}

interface TeacherEntry {
  readonly run?: RoleRun;
  /** 'cache' when the weights were loaded from the teacher cache instead of trained in this run. */
  readonly source?: 'trained' | 'cache';
  /** The teacher's outputs on the training split, computed once and reused by every student. */
  readonly trainOutputs?: tf.Tensor2D;
  readonly error?: string;
  /** The run (cell and seed) whose training wrote the teacher's epochs to history.csv; other cells get a copy. */
  readonly trainedFor?: string;
}

/** A training to more epochs than the cell's own, serving `serves` (and the cell's count) on the way. */
interface Longer {
  readonly epochs: number;
  readonly serves: readonly number[];
  onServed(epochs: number, run: RoleRun | string): void;
}

/** The config with one role's epoch count replaced. */
function withEpochs(config: ResolvedConfig, role: Role, epochs: number): ResolvedConfig {
  const model = config.models[role];
  return { ...config, models: { ...config.models, [role]: { ...model, training: { ...model.training, epochs } } } };
}

/** What one execution needs besides the plan. */
interface ExecutionContext {
  readonly experiment: ResolvedExperiment;
  readonly registry: Registry;
  readonly writer: RunWriter;
  readonly reporter: Reporter;
  readonly runId: string;
  readonly backend: string;
  readonly datasets: DatasetCache;
  readonly signal?: AbortSignal;
  readonly teacherCache: string | false;
  /** Identifies the arithmetic (backend, and BLAS or not): cached teachers are only reused under the same. */
  readonly numerics: string;
  /** Which roles' models go to `<run dir>/models/`. */
  readonly saveModels: SaveModels;
  readonly runDir: string;
}

/** The metric columns of the results table: every metric of every role of every cell, in first-seen order. */
export function metricColumns(experiment: ResolvedExperiment, registry: Registry): string[] {
  const columns = new Set<string>();
  for (const cell of experiment.cells) {
    for (const model of Object.values(cell.config.models)) {
      for (const ref of model.training.metrics) {
        columns.add(metricFactsOf(registry, ref.name).column);
      }
    }
  }
  return [...columns];
}

/** What a run directory must hold to be resumed by this experiment: its name, cells and columns. */
export function runIdentity(experiment: ResolvedExperiment, metrics: readonly string[]): RunIdentity {
  const resolved = experiment.cells.map((cell) => cell.config);
  // A held-out share or the dataset's own validation file: either gives val_ columns.
  const validation = experiment.cells.some((cell) => hasValidation(cell.config));
  const search = experiment.search !== undefined;
  // A search's winner is not known before it runs: every possible outcome identifies the experiment.
  const all = experiment.search ? [...experiment.search.cells, ...experiment.search.finals.flat()] : experiment.cells;
  const cells = all.map((cell) => `${cell.id}/${cell.seed}`);
  const axes = axesOf(experiment.cells);
  return { hash: contentHash({ name: experiment.name, cells, metrics, validation, axes, search }, 16), spec: experiment.spec, resolved, metrics, validation, axes, search };
}

/** Test metrics for a progress line: `loss 0.0917, accuracy 0.9810`. */
function describeMetrics(test: Readonly<Record<string, number>>): string {
  return Object.entries(test).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
}

class Execution {
  readonly rows: Row[] = [];
  private readonly teachers = new Map<string, TeacherEntry>();
  /** Each person trained in this run (or why it failed), by person key: every cell sharing it reuses it. */
  private readonly persons = new Map<string, RoleRun | string>();
  /** Models a longer training gave at other epoch counts (an epochs axis), by role and key, until their cell takes them. */
  private readonly served = new Map<string, RoleRun | string>();
  /** Where each saved model went, by role and key: a model shared by later cells is copied from there. */
  private readonly saved = new Map<string, string>();
  /** This cell and the cells after it in the current stage: those an epochs axis can serve from one training. */
  upcoming: readonly PlannedCell[] = [];
  /** `search` or `final` in an experiment with a selection stage: the rows' `stage`. */
  stage: 'search' | 'final' | undefined;
  private failed = false;

  constructor(private readonly context: ExecutionContext) {}

  get status(): RunStatus {
    return this.failed ? 'failed' : 'ok';
  }

  private row(planned: PlannedCell, role: Role, run: RoleRun | undefined, status: RowStatus, error = '', source?: string): Row {
    const { runId, experiment, backend } = this.context;
    const context: RowContext = { runId, experiment: experiment.name, cell: planned.cell, label: planned.label, backend, stage: this.stage };
    return resultRow(context, role, run, status, error, source);
  }

  private emit(row: Row): void {
    if (row.status === 'failed') this.failed = true;
    this.rows.push(row);
    this.context.writer.appendResult(row);
  }

  /**
   * Trains a role with progress reporting and history rows; failures become a status, not a crash.
   * With `longer`, it trains to `longer.epochs` and serves the cell's own count (and others) on the way.
   */
  private async train(planned: PlannedCell, role: Role, data: LoadedData, teacherTrain?: tf.Tensor2D, longer?: Longer): Promise<RoleRun | string> {
    const { registry, experiment, reporter, writer, runId, signal } = this.context;
    const event = { cellId: planned.cell.id, cellLabel: planned.label, role };
    const own = planned.cell.config.models[role].training;
    const config = longer ? withEpochs(planned.cell.config, role, longer.epochs) : planned.cell.config;
    const training = config.models[role].training;
    const serving = longer ? ` (serves epochs ${[...longer.serves, longer.epochs].join(', ')}: one training for the epochs axis)` : '';
    // Below the longer count, this cell's model is the checkpoint served at its own count: its line shows that one.
    let checkpoint: RoleRun | string | undefined;
    const onServed = longer ? (epochs: number, run: RoleRun | string) => {
      if (epochs === own.epochs) checkpoint = run;
      longer.onServed(epochs, run);
    } : undefined;
    try {
      const run = await runRole({
        registry, config, role, data, baseDir: experiment.baseDir, teacherTrain, signal, serves: longer?.serves, onServed,
        onModel: (model) => reporter.roleStart({ ...event, epochs: training.epochs, detail: `${model.countParams().toLocaleString('en-US')} params, ${training.epochs} epochs${serving}, batch ${training.batchSize}, ${training.optimizer.name}` }),
        onProgress: (progress) => reporter.step?.({ ...event, epochs: training.epochs, ...progress }),
        onEpoch: (record) => {
          reporter.epoch({ ...event, epochs: training.epochs, logEvery: training.logEvery, record });
          // On disk before the next epoch starts: a crash keeps every finished epoch (of this cell's own count).
          const [mine] = historyOfRun([record], own.epochs, own.evalEvery);
          if (mine) writer.appendHistory([historyRow(runId, planned.cell, role, mine)]);
        },
      });
      if (typeof checkpoint === 'string') reporter.roleEnd({ ...event, status: 'failed', summary: checkpoint });
      else {
        const shown = checkpoint ?? run;
        const at = longer ? ` at epoch ${checkpoint ? own.epochs : longer.epochs}` : '';
        reporter.roleEnd({ ...event, status: 'ok', summary: `${describeMetrics(shown.test)}${at} (${shown.trainSeconds.toFixed(1)} s)` });
      }
      return run;
    } catch (error) {
      const interrupted = error instanceof DistilError && error.code === 'INTERRUPTED';
      const message = error instanceof Error ? error.message : String(error);
      reporter.roleEnd({ ...event, status: interrupted ? 'interrupted' : 'failed', summary: message });
      if (interrupted) throw error;
      // A broken backend would fail every later cell the same way: stop here, naming the cell.
      if (isBackendFatal(error)) throw errorBackendFailure(planned.label || planned.cell.id, role, message);
      return message;
    }
  }

  /**
   * A role's model for this cell: one an earlier training served at this epoch count, or a training of
   * its own — to the largest count of the upcoming cells that differ only in this role's epochs, serving
   * each of their counts on the way (an epochs axis costs one training).
   */
  private async trainOrServe(planned: PlannedCell, role: Role, data: LoadedData, teacherTrain?: tf.Tensor2D): Promise<RoleRun | string> {
    const served = await this.takeServed(planned, role);
    if (served !== undefined) return served;
    const counts = this.epochCounts(planned, role);
    if (counts.size <= 1) return this.train(planned, role, data, teacherTrain);
    const own = planned.cell.config.models[role].training.epochs;
    const largest = Math.max(...counts.keys());
    const results = new Map<number, RoleRun | string>();
    const onServed = (epochs: number, run: RoleRun | string) => results.set(epochs, run);
    let last: RoleRun | string;
    try {
      last = await this.train(planned, role, data, teacherTrain, { epochs: largest, serves: [...counts.keys()].filter((e) => e < largest).sort((a, b) => a - b), onServed });
    } catch (error) {
      // Interrupted or a broken backend: the cells after this one run again on resume.
      for (const run of results.values()) if (typeof run === 'object') run.model.dispose();
      throw error;
    }
    // A training that failed later still served the counts it passed; the others failed with it.
    for (const epochs of counts.keys()) if (!results.has(epochs)) results.set(epochs, epochs === largest || typeof last === 'string' ? last : `the training stopped before epoch ${epochs}`);
    for (const [epochs, run] of results) if (epochs !== own) this.served.set(`${role}:${counts.get(epochs)}`, run);
    return results.get(own) as RoleRun | string;
  }

  /** Epoch count → role key of this cell's and the upcoming cells' trainings of this role that one training can serve. */
  private epochCounts(planned: PlannedCell, role: Role): Map<number, string> {
    const counts = new Map([[planned.cell.config.models[role].training.epochs, roleKey(planned, role)]]);
    if (!epochsShareable(planned.cell.config.models[role])) return counts;
    for (const other of this.upcoming) {
      const epochs = other.cell.config.models[role].training.epochs;
      if (other.trainingKeys[role] !== planned.trainingKeys[role] || counts.has(epochs) || this.hasModel(other, role)) continue;
      counts.set(epochs, roleKey(other, role));
    }
    return counts;
  }

  /** Whether a cell's role is already trained, served, or (a teacher) in the cache: nothing to train for it. */
  private hasModel(planned: PlannedCell, role: Role): boolean {
    const key = roleKey(planned, role);
    if (this.served.has(`${role}:${key}`)) return true;
    if (role === 'person') return this.persons.has(key);
    if (role === 'student') return false;
    const { teacherCache, numerics } = this.context;
    return this.teachers.has(key) || (teacherCache !== false && hasTeacher(teacherStem(teacherCache, key, numerics, getVersion())));
  }

  /** The model an earlier training served for this cell's role, with its epochs written for this cell; undefined if none. */
  private async takeServed(planned: PlannedCell, role: Role): Promise<RoleRun | string | undefined> {
    const key = `${role}:${roleKey(planned, role)}`;
    const run = this.served.get(key);
    if (run === undefined) return undefined;
    this.served.delete(key);
    const epochs = planned.cell.config.models[role].training.epochs;
    const from = typeof run === 'object' && run.checkpointOf ? `epoch ${epochs} of one ${run.checkpointOf}-epoch training` : `the last epoch of a training that also served epochs below ${epochs}`;
    const detail = `${from} (an epochs axis trains once)`;
    if (typeof run === 'string') await this.reportNotTrained(planned, role, detail, 'failed', run);
    else {
      await this.reportNotTrained(planned, role, detail, 'ok', describeMetrics(run.test));
      this.copyHistory(planned, role, run);
    }
    return run;
  }

  /** What a saved model records of its role and cell: enough to rebuild the dataset and evaluate it again. */
  private modelInfo(planned: PlannedCell, role: Role, run: RoleRun, data: LoadedData): SavedModelInfo {
    const { config } = planned.cell;
    const training = config.models[role].training;
    return {
      role, task: config.task, inputShape: data.dataset.featureShape, outputSize: data.dataset.outputSize, input: data.dataset.input,
      dataset: config.dataset, seed: config.seed, validation: config.validation, baseDir: this.context.experiment.baseDir, metrics: training.metrics, loss: training.loss,
      evaluationBatchSize: config.evaluation.batchSize, test: run.test, val: run.val, keptEpoch: run.keptEpoch,
      experiment: this.context.experiment.name, cellId: planned.cell.id,
    };
  }

  /**
   * Saves a role's model under `<run dir>/models/<cell>/<seed>/<role>/` when the run keeps that role's
   * models; a model shared with an earlier cell (a person, a teacher) is copied from where it was saved.
   * A model that cannot be saved is a warning: the rows matter more than the files.
   */
  private async keep(planned: PlannedCell, role: Role, run: RoleRun | string | undefined, data: LoadedData): Promise<void> {
    const { saveModels, runDir } = this.context;
    if (typeof run !== 'object' || !(saveModels === 'all' || (saveModels === 'teacher' && role === 'teacher'))) return;
    const dir = path.join(runDir, 'models', planned.cell.id, String(planned.cell.seed), role);
    const key = `${role}:${roleKey(planned, role)}`;
    try {
      const earlier = this.saved.get(key);
      if (earlier && earlier !== dir) {
        rmSync(dir, { recursive: true, force: true });
        cpSync(earlier, dir, { recursive: true });
      } else {
        await saveModel(dir, run.model, this.modelInfo(planned, role, run, data), getVersion());
      }
      this.saved.set(key, dir);
    } catch (error) {
      this.context.reporter.warn(`could not save the ${role}'s model to ${dir} (${(error as Error).message}); the run goes on`);
    }
  }

  /** A teacher from the cache, if this exact teacher (config, backend, version) was trained before. */
  private cachedTeacher(planned: PlannedCell, data: LoadedData, stem: string): RoleRun | undefined {
    const { registry, experiment, reporter } = this.context;
    const found = loadTeacher(stem, () => buildRoleModel(registry, planned.cell.config, 'teacher', data.dataset, experiment.baseDir));
    if (!found.model) {
      if (found.damaged) reporter.warn(`teacher cache entry ${stem} is damaged (${found.damaged}); training the teacher instead`);
      return undefined;
    }
    const { model, summary } = found;
    return { role: 'teacher', model, params: model.countParams(), metrics: [], ...summary };
  }

  private async saveToCache(planned: PlannedCell, data: LoadedData, stem: string, run: RoleRun): Promise<void> {
    try {
      await saveTeacher(stem, run.model, this.modelInfo(planned, 'teacher', run, data), run);
    } catch (error) {
      // The trained teacher is still used by this run; only later runs lose the shortcut.
      this.context.reporter.warn(`could not save the teacher to the cache (${(error as Error).message}); this run goes on`);
    }
  }

  private async teacher(planned: PlannedCell, data: LoadedData): Promise<TeacherEntry> {
    const known = this.teachers.get(planned.teacherKey);
    if (known) return known;
    const { teacherCache, numerics } = this.context;
    const stem = teacherCache ? teacherStem(teacherCache, planned.teacherKey, numerics, getVersion()) : undefined;
    // A teacher someone else trained is used as it is: no cache, no training.
    if (planned.cell.config.models.teacher.load) return this.remember(planned, await this.loadedTeacher(planned, data), data, undefined);
    let result = await this.takeServed(planned, 'teacher');
    const cached = result === undefined && stem ? this.cachedTeacher(planned, data, stem) : undefined;
    if (cached) {
      await this.reportNotTrained(planned, 'teacher', `loading ${path.basename(stem ?? '')} from the teacher cache`, 'ok', `from the teacher cache (${describeMetrics(cached.test)})`);
      result = cached;
    } else {
      result ??= await this.trainOrServe(planned, 'teacher', data);
      if (stem && typeof result === 'object') await this.saveToCache(planned, data, stem, result);
    }
    return this.remember(planned, result, data, cached ? 'cache' : 'trained');
  }

  /** Keeps a cell's teacher (or why it failed) for every cell sharing it, with its outputs on the training split. */
  private remember(planned: PlannedCell, result: RoleRun | string, data: LoadedData, source: TeacherEntry['source']): TeacherEntry {
    const entry: TeacherEntry =
      typeof result === 'string'
        ? { error: result }
        : {
          run: result, source, trainedFor: source === 'trained' ? runKey(planned.cell.id, planned.cell.seed) : undefined,
          trainOutputs: predictInBatches(result.model, data.train.x, planned.cell.config.evaluation.batchSize),
        };
    this.teachers.set(planned.teacherKey, entry);
    return entry;
  }

  /** A teacher someone else trained (`load:`): evaluated on this dataset's splits, never trained. */
  private async loadedTeacher(planned: PlannedCell, data: LoadedData): Promise<RoleRun | string> {
    const { registry, experiment, reporter } = this.context;
    const { config } = planned.cell;
    const { load, training } = config.models.teacher;
    const event = { cellId: planned.cell.id, cellLabel: planned.label, role: 'teacher' as const };
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
      return {
        role: 'teacher', model, params: model.countParams(), history: [], trainSeconds: 0, samplesPerSec: 0, test, val, metrics, loaded: true,
        inferenceMsPer1000: timeInference(model, data.test.x, config.evaluation.batchSize),
      };
    } catch (error) {
      const message = (error as Error).message;
      reporter.roleEnd({ ...event, status: 'failed', summary: message });
      return message;
    }
  }

  /** The cell's teacher, trained, shared or from the cache, with its row and epochs written for this cell. */
  private async teacherOf(planned: PlannedCell, data: LoadedData): Promise<TeacherEntry> {
    let teacher: TeacherEntry;
    try {
      teacher = await this.teacher(planned, data);
    } catch (error) {
      this.emitUnfinished(planned, 'teacher', error);
      throw error;
    }
    if (teacher.run && teacher.trainedFor !== runKey(planned.cell.id, planned.cell.seed)) this.copyHistory(planned, 'teacher', teacher.run);
    await this.keep(planned, 'teacher', teacher.run, data);
    this.emit(teacher.run ? this.row(planned, 'teacher', teacher.run, 'ok', '', teacher.source === 'cache' ? 'cache' : undefined) : this.row(planned, 'teacher', undefined, 'failed', teacher.error));
    return teacher;
  }

  /** Runs a cell's three roles; each row is on disk before the next role starts (the student's waits for the person's gain). */
  async cell(planned: PlannedCell): Promise<void> {
    const data = await this.context.datasets.get(planned);
    const teacher = await this.teacherOf(planned, data);
    if (!teacher.run) {
      for (const role of ['student', 'person'] as const) this.emit(this.row(planned, role, undefined, 'skipped', 'the teacher failed'));
      return;
    }
    let student: RoleRun | string | undefined;
    let person: RoleRun | string | undefined;
    let personStarted = false;
    try {
      student = await this.trainOrServe(planned, 'student', data, teacher.trainOutputs);
      await this.keep(planned, 'student', student, data);
      personStarted = true;
      person = await this.person(planned, data);
    } catch (error) {
      // An interrupt or a broken backend: the role that was training gets a row saying which; one that never started gets none.
      const unfinished = error instanceof DistilError && error.code === 'INTERRUPTED' ? undefined : (error as Error).message;
      student ??= unfinished;
      person ??= unfinished;
      throw error;
    } finally {
      this.emitPair(planned, student, personStarted ? person : null);
    }
  }

  /** A role's epochs written again under another cell that uses the same trained model. */
  private copyHistory(planned: PlannedCell, role: Role, run: RoleRun): void {
    const { writer, runId } = this.context;
    writer.appendHistory(run.history.map((record) => historyRow(runId, planned.cell, role, record)));
  }

  /**
   * The person of a cell: trained once per (person config, dataset, seed), since it does not depend on
   * the teacher or the distillation settings, and reused by every cell that shares it.
   */
  private async person(planned: PlannedCell, data: LoadedData): Promise<RoleRun | string> {
    const known = this.persons.get(planned.personKey);
    if (known !== undefined) {
      const detail = 'shared with an earlier cell of this seed (the person does not depend on the distillation settings)';
      if (typeof known === 'string') await this.reportNotTrained(planned, 'person', detail, 'failed', known);
      else {
        await this.reportNotTrained(planned, 'person', detail, 'ok', `shared (${describeMetrics(known.test)})`);
        this.copyHistory(planned, 'person', known);
        await this.keep(planned, 'person', known, data);
      }
      return known;
    }
    const run = await this.trainOrServe(planned, 'person', data);
    await this.keep(planned, 'person', run, data);
    // Only its figures are needed from here on: the gain of every cell that shares it.
    if (typeof run === 'object') run.model.dispose();
    this.persons.set(planned.personKey, run);
    return run;
  }

  /** Progress for a role this cell takes without training it (from the cache, or shared with another cell). */
  private async reportNotTrained(planned: PlannedCell, role: Role, detail: string, status: 'ok' | 'failed', summary: string): Promise<void> {
    const event = { cellId: planned.cell.id, cellLabel: planned.label, role };
    await this.context.reporter.roleStart({ ...event, epochs: 0, detail });
    this.context.reporter.roleEnd({ ...event, status, summary });
  }

  /** A search point's teacher for one seed: trained (or taken from the cache) and recorded; nothing else trains. */
  async searchCell(planned: PlannedCell): Promise<void> {
    await this.teacherOf(planned, await this.context.datasets.get(planned));
  }

  /** The row of a role that an interrupt or a crash stopped, so the table shows where the run ended. */
  private emitUnfinished(planned: PlannedCell, role: Role, error: unknown): void {
    const interrupted = error instanceof DistilError && error.code === 'INTERRUPTED';
    this.emit(this.row(planned, role, undefined, interrupted ? 'interrupted' : 'failed', (error as Error).message));
  }

  /** The student's row (with the gain) and the person's; `person` is null when it never started. */
  private emitPair(planned: PlannedCell, student: RoleRun | string | undefined, person: RoleRun | string | undefined | null): void {
    const asRow = (role: Role, run: RoleRun | string | undefined): Row =>
      run === undefined ? this.row(planned, role, undefined, 'interrupted', 'interrupted before it finished')
      : typeof run === 'string' ? this.row(planned, role, undefined, 'failed', run)
      : this.row(planned, role, run, 'ok');
    const studentRow = asRow('student', student);
    if (typeof student === 'object' && typeof person === 'object' && person !== null) Object.assign(studentRow, gain(student.metrics, student, person));
    this.emit(studentRow);
    if (person !== null) this.emit(asRow('person', person));
    // The person's model was disposed when it finished: only its figures are shared.
    if (typeof student === 'object') student.model.dispose();
  }

  /** Frees a teacher's model and its outputs (its rows and epochs are written). */
  releaseTeacher(key: string): void {
    const entry = this.teachers.get(key);
    entry?.run?.model.dispose();
    entry?.trainOutputs?.dispose();
    this.teachers.delete(key);
  }

  dispose(): void {
    for (const run of this.served.values()) if (typeof run === 'object') run.model.dispose();
    for (const entry of this.teachers.values()) {
      entry.run?.model.dispose();
      entry.trainOutputs?.dispose();
    }
  }
}


/**
 * Opens the run directory for this invocation: locked, checked to hold this experiment when resumed,
 * its tables cut back to the finished cells' whole rows.
 */
function startRun(experiment: ResolvedExperiment, identity: RunIdentity, options: RunOptions, reporter: Reporter): { open: OpenRun; finished: Set<string> } {
  const open = openRunDirectory({
    outDir: options.outDir ?? 'results',
    experiment: experiment.name,
    runId: options.runId,
    subdir: options.shard ? `shard-${options.shard.index}-of-${options.shard.count}` : undefined,
    identity,
    warn: (message) => reporter.warn(message),
  });
  try {
    // Each table is read once: to find the finished runs, then to keep their rows.
    const existing = { results: open.writer.existingResults(), history: open.writer.existingHistory() };
    const finished = finishedRuns(existing.results, existing.history, (message) => reporter.warn(message));
    const { droppedLines } = open.writer.start((record) => finished.has(runKey(record.cell_id, record.seed)), existing);
    if (droppedLines > 0) reporter.warn(`dropped ${droppedLines} cut-short line(s) left by a run that was killed while writing; their cells run again`);
    return { open, finished };
  } catch (error) {
    open.release();
    throw error;
  }
}

/** How a run goes through a spec's stages. */
interface Stages {
  /** The search points this invocation trains (none when the search rows come from a table). */
  readonly search?: readonly ResolvedCell[];
  /** The winner, known before anything runs when the search rows come from a table. */
  readonly selection?: Selection;
  /** After the search: select and run the cells after the winner, stop (a shard's share of the search), or nothing to do (no search runs). */
  readonly after: 'select' | 'stop' | 'none';
}

/**
 * The stages this invocation runs: a spec without `search:` runs its cells; with one, the whole
 * search then the cells after the winner, or (with --shard) only this shard's share of the search,
 * or (with --selection) the winner from a table and the cells after it.
 * @throws DistilError INVALID_ARGUMENT for --selection without a search, or a selection table that lacks a point.
 */
export function planStages(experiment: ResolvedExperiment, options: Pick<RunOptions, 'selection' | 'shard'>): Stages {
  const { search } = experiment;
  if (!search) {
    if (options.selection !== undefined) throw errorInvalidArgument('--selection', 'the spec has no search: block, so there is nothing to select');
    return { after: 'none' };
  }
  if (options.selection !== undefined) {
    const selection = selectWinner(search, searchRowsFrom(options.selection, search, experiment.name));
    if (!selection) throw errorNothingSelected(search.metric);
    return { selection, after: 'none' };
  }
  return { search: search.cells, after: options.shard ? 'stop' : 'select' };
}

/** The cells after the search: the winner's (known once it is), else the first point's, as the dry run shows them. */
function finalCells(experiment: ResolvedExperiment, selection: Selection | undefined): readonly ResolvedCell[] {
  return experiment.search && selection ? experiment.search.finals[selection.winner] : experiment.cells;
}

/**
 * The plan a run with these options would follow: the cells (and search points) an existing run
 * directory of this run id finished are counted as done. Reads only; loads no data.
 * @throws DistilError RUN_MISMATCH when the run id holds another experiment.
 */
export function previewRun(experiment: ResolvedExperiment, registry: Registry, options: RunOptions = {}): Plan {
  const stages = planStages(experiment, options);
  const writer = inspectRunDirectory({
    outDir: options.outDir ?? 'results',
    experiment: experiment.name,
    runId: options.runId,
    subdir: options.shard ? `shard-${options.shard.index}-of-${options.shard.count}` : undefined,
    identity: runIdentity(experiment, metricColumns(experiment, registry)),
  });
  const finished = writer ? finishedRuns(writer.existingResults(), writer.existingHistory(), () => undefined) : new Set<string>();
  if (stages.after === 'stop') {
    return { ...planRun(experiment, { shard: options.shard, finished, cells: stages.search }), stage: 'search', notes: [searchShareNote(options.shard)] };
  }
  const plan = planRun(experiment, { shard: options.shard, finished, cells: finalCells(experiment, stages.selection) });
  return stages.selection ? { ...plan, stage: 'selected', notes: [`search rows from ${options.selection}: ${describeSelection(stages.selection)}`] } : plan;
}

/** What a shard that ran its share of the search says to do next. */
function searchShareNote(shard: Shard | undefined): string {
  const count = shard?.count ?? 1;
  return `this shard runs only its share of the search (stage 1); when all ${count} shard(s) have finished, merge their results.csv ` +
    '(distil-run merge <run dir>/shard-*/results.csv --out search.csv) and run the cells after the winner with --selection search.csv (and --shard I/N to split them)';
}

/**
 * Runs an experiment: selects the backend, loads the data, opens the run directory (skipping the cells a
 * resumed run finished), trains teacher, student and person per cell, and writes results.csv, history.csv
 * and manifest.json. Bad input (flags, data files, a locked or mismatched run directory) is refused before
 * anything is written.
 * @throws DistilError INTERRUPTED when `signal` aborts (finished rows stay written), INVALID_ARGUMENT,
 *   RUN_LOCKED, RUN_MISMATCH, DATASET_ERROR, BACKEND_UNAVAILABLE.
 */
export async function runExperiment(experiment: ResolvedExperiment, registry: Registry, options: RunOptions = {}): Promise<RunSummary> {
  if (options.runId !== undefined) assertRunId(options.runId);
  const stages = planStages(experiment, options);
  const reporter = options.reporter ?? new ListrReporter();
  const teacherCache = options.teacherCache === undefined ? defaultTeacherCacheDir() : options.teacherCache;
  if (teacherCache) checkTeacherCache(teacherCache);
  const backend = await selectBackend(options.backend ?? 'auto', { blas: options.blas });
  const datasets = new DatasetCache(registry, experiment.baseDir);
  try {
    // Every cell this invocation may train: its search points and the cells after them (the first point's until one wins).
    const searchShard = stages.after === 'stop' ? options.shard : undefined;
    const shardCells = [
      ...(stages.search ? planRun(experiment, { shard: searchShard, cells: stages.search }).cells : []),
      ...(stages.after === 'stop' ? [] : planRun(experiment, { shard: options.shard, cells: finalCells(experiment, stages.selection) }).cells),
    ];
    await datasets.loadAll(shardCells);
    await assertModelsFit(shardCells, datasets, registry, (warning) => reporter.warn(`${warning.code}: ${warning.message}`));
    await assertCellsFit(shardCells, datasets, backend, registry);
    // The identity hashes every cell: made once, for the run directory and each manifest write.
    const identity = runIdentity(experiment, metricColumns(experiment, registry));
    const { open, finished } = startRun(experiment, identity, options, reporter);
    try {
      return await execute({ experiment, registry, reporter, backend, datasets, teacherCache, open, finished, identity, options, stages });
    } finally {
      open.release();
    }
  } finally {
    datasets.dispose();
  }
}

interface ExecuteInput {
  readonly experiment: ResolvedExperiment;
  readonly registry: Registry;
  readonly reporter: Reporter;
  readonly backend: BackendInfo;
  readonly datasets: DatasetCache;
  readonly teacherCache: string | false;
  readonly open: OpenRun;
  readonly finished: ReadonlySet<string>;
  readonly identity: RunIdentity;
  readonly options: RunOptions;
  readonly stages: Stages;
}

async function execute(input: ExecuteInput): Promise<RunSummary> {
  const { experiment, registry, reporter, backend, open, options, stages } = input;
  // The search is sharded only when this invocation stops after it; a whole search runs before the shard's cells.
  const searchPlan = stages.search ? planRun(experiment, { shard: stages.after === 'stop' ? options.shard : undefined, finished: input.finished, cells: stages.search }) : undefined;
  let selection = stages.selection;
  let plan = planRun(experiment, { shard: options.shard, finished: input.finished, cells: stages.after === 'stop' ? [] : finalCells(experiment, selection) });
  const execution = new Execution({
    experiment, registry, writer: open.writer, reporter, runId: open.runId, backend: backend.name, datasets: input.datasets,
    signal: options.signal, teacherCache: input.teacherCache, numerics: backend.blas ? `${backend.name}-blas` : backend.name,
    saveModels: saveModelsFor(options.saveModels, plan.cells.length + (searchPlan?.cells.length ?? 0)), runDir: open.dir,
  });
  const started = new Date();
  const manifest = (status: string, finished?: Date) =>
    writeManifest(open.writer, { experiment, runId: open.runId, backend, started, finished, status, shard: options.shard, identity: input.identity, previous: open.previous, selection, datasets: input.datasets.provenance() });
  const cellCount = plan.cells.length + (searchPlan?.cells.length ?? 0);
  reporter.runStart({ experiment: experiment.name, runDir: open.dir, backend: describeBackend(backend), cells: cellCount, skippedCells: plan.done.length + (searchPlan?.done.length ?? 0) });
  manifest('running');
  let status: RunStatus = 'ok';
  let summary: readonly Row[] = [];
  try {
    if (experiment.search && selection) {
      // Selected from the search stage's table: recorded here as if the search had run in this directory.
      execution.stage = 'final';
      writeSelection(open.dir, experiment.search, selection);
      reporter.note?.(`search rows from ${options.selection}: ${describeSelection(selection)}`);
    } else if (experiment.search && searchPlan) {
      if (stages.after === 'stop') {
        await searchCells(execution, searchPlan);
        reporter.note?.(searchShareNote(options.shard));
      } else {
        selection = await searchStage(execution, experiment.search, searchPlan, open, reporter);
        plan = planRun(experiment, { finished: input.finished, cells: experiment.search.finals[selection.winner] });
      }
    }
    for (const [i, planned] of plan.cells.entries()) {
      execution.upcoming = plan.cells.slice(i);
      await execution.cell(planned);
      // A teacher no later cell shares is freed now: a sweep over seeds must not hold every seed's teacher.
      if (!plan.cells.slice(i + 1).some((later) => later.teacherKey === planned.teacherKey)) execution.releaseTeacher(planned.teacherKey);
    }
    status = execution.status;
  } catch (error) {
    status = error instanceof DistilError && error.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
    throw error;
  } finally {
    execution.dispose();
    manifest(status, new Date());
    // Also after a failure or an interrupt: a summary of what finished.
    summary = writeRunSummary(open.dir, (message) => reporter.warn(message));
    await reporter.runEnd();
  }
  return { runId: open.runId, runDir: open.dir, backend, rows: execution.rows, status, summary };
}

/**
 * The selection stage: trains the teacher of every search point (resumed points are kept), picks the
 * winner on the validation metric over all search rows, and writes selection.csv.
 * @throws DistilError NOTHING_SELECTED when no point's teacher finished.
 */
async function searchStage(execution: Execution, stage: SearchStage, plan: Plan, open: OpenRun, reporter: Reporter): Promise<Selection> {
  await searchCells(execution, plan);
  execution.stage = 'final';
  const rows = open.writer.existingResults().records.filter((row) => row.stage === 'search');
  const selection = selectWinner(stage, rows);
  if (!selection) throw errorNothingSelected(stage.metric);
  writeSelection(open.dir, stage, selection);
  reporter.note?.(describeSelection(selection));
  return selection;
}

/** The roles whose models a run keeps: `auto` is every role's for a run of up to {@link SAVE_ALL_UP_TO} cells, else the teachers'. */
export function saveModelsFor(request: RunOptions['saveModels'], cells: number): SaveModels {
  if (request === undefined || request === 'auto') return cells <= SAVE_ALL_UP_TO ? 'all' : 'teacher';
  return request;
}

/** Trains the search points' teachers of a plan (rows with `stage: search`). */
async function searchCells(execution: Execution, plan: Plan): Promise<void> {
  execution.stage = 'search';
  for (const [i, planned] of plan.cells.entries()) {
    execution.upcoming = plan.cells.slice(i);
    await execution.searchCell(planned);
  }
}

/** One line for the log: `wasm + OpenBLAS libopenblas.so.0 (sgemm 140 GFLOP/s) (skipped tensorflow: ...)`. */
export function describeBackend(backend: BackendInfo): string {
  const blas = backend.blas ? ` + BLAS ${backend.blas.library} (sgemm ${backend.blas.sgemmGflops} GFLOP/s)` : '';
  const noBlas = backend.name === 'wasm' && backend.blasSkipped ? ` (no BLAS: ${backend.blasSkipped})` : '';
  const skipped = backend.skipped.length > 0 ? ` (skipped ${backend.skipped.join('; ')})` : '';
  return `${backend.name}${blas}${noBlas}${skipped}`;
}
