// Runs an experiment: the backend, the data and the checks first, then the run directory, the stages and
// the cell loop; the manifest and summary.csv are written however the run ends.
import type { BackendInfo } from '../backend/index.js';
import { describeBackend, selectBackend } from '../backend/index.js';
import type { ResolvedExperiment, SearchStage } from '../config/index.js';
import { errorJobsWithoutSpec, errorNothingSelected, isInterrupted, warningCutLinesDropped } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { assertRunId, givenRunDirectory, openRunDirectory, writeRunSummary } from '../results/index.js';
import type { OpenRun, Row, RunIdentity } from '../results/index.js';
import { CellRunner, runFinalCells, runSearchCells } from './cell-runner.js';
import { numericsOf, rowContextOf } from './context.js';
import { independentGroups, scheduleGroups } from './groups.js';
import type { ScheduledGroup } from './groups.js';
import { jobsOf } from './jobs.js';
import { WorkerPool } from './parallel.js';
import { runHalving } from './halving.js';
import { StageReporter, StepRecorder } from './lines-reporter.js';
import { chooseBackendForRun } from './backend-choice.js';
import { DatasetCache } from './dataset-cache.js';
import { confusionShape, metricColumns, optionalColumns, runIdentity } from './identity.js';
import { writeManifest } from './manifest.js';
import { assertCellsFit } from './memory-check.js';
import { assertCellsTakeTheirData } from './preflight.js';
import { resumeState } from './resume.js';
import { runKey } from '../results/index.js';
import type { Plan, PlannedCell } from './plan.js';
import type { Role } from '../shared/index.js';
import { ListrReporter } from './reporter.js';
import type { Reporter } from './reporter.js';
import { saveModelsFor } from './run-options.js';
import type { RunOptions, RunStatus, RunSummary } from './run-options.js';
import { describeSelection, selectWinner, writeSelection } from './selection.js';
import type { Selection } from './selection.js';
import { planStages, runDirectoryOf, searchShareNote, stagePlans } from './stages.js';
import type { Stages } from './stages.js';
import { checkTeacherCache, defaultTeacherCacheDir } from './teacher-cache.js';

/** Every cell's label by its id: the grid's cells, the search points and the cells after each possible winner. */
function cellLabels(experiment: ResolvedExperiment): Map<string, string> {
  const { search } = experiment;
  const cells = [...experiment.cells, ...(search ? [...search.cells, ...search.finals.flat()] : [])];
  return new Map(cells.map((cell) => [cell.id, cell.label]));
}

/**
 * Successive halving decides on every point at once: a search stage that did not finish is run again whole
 * (its rows replaced), since points kept from before would not be judged with the others at their rungs.
 */
function keepHalvingWhole(experiment: ResolvedExperiment, finished: Set<string>): void {
  const search = experiment.search;
  if (!search?.halving) return;
  const keys = search.cells.map((cell) => runKey(cell.id, cell.seed));
  if (keys.every((key) => finished.has(key))) return;
  for (const key of keys) finished.delete(key);
}

/**
 * Opens the run directory for this invocation: locked, checked to hold this experiment when resumed,
 * its tables cut back to the finished cells' whole rows.
 */
function startRun(
  experiment: ResolvedExperiment,
  identity: RunIdentity,
  options: RunOptions,
  reporter: Reporter,
): { open: OpenRun; finished: Set<string>; confusionMissing: readonly string[] } {
  const open = openRunDirectory({
    ...runDirectoryOf(experiment, options),
    identity,
    warn: (warning) => reporter.warn(warning),
  });
  try {
    // Each table is read once: to find the finished runs, then to keep their rows.
    const { existing, finished, confusionMissing } = resumeState(experiment, open.writer, open.previous, (warning) =>
      reporter.warn(warning),
    );
    keepHalvingWhole(experiment, finished);
    const labels = cellLabels(experiment);
    const { droppedLines } = open.writer.start(
      (record) => finished.has(runKey(record.cell_id, record.seed)),
      existing,
      (record) => labels.get(record.cell_id) ?? record.cell,
    );
    if (droppedLines > 0) reporter.warn(warningCutLinesDropped(droppedLines));
    return { open, finished, confusionMissing };
  } catch (error) {
    open.release();
    throw error;
  }
}

/**
 * Runs an experiment: selects the backend, loads the data, opens the run directory (skipping the cells a
 * resumed run finished), trains teacher, student and person per cell, and writes results.csv, history.csv
 * and manifest.json. Bad input (flags, data files, a locked or mismatched run directory) is refused before
 * anything is written.
 * @throws DistilError INTERRUPTED when `signal` aborts (finished rows stay written), INVALID_ARGUMENT,
 *   RUN_LOCKED, RUN_MISMATCH, DATASET_ERROR, BACKEND_UNAVAILABLE.
 */
export async function runExperiment(
  experiment: ResolvedExperiment,
  registry: Registry,
  options: RunOptions = {},
): Promise<RunSummary> {
  if (options.runId !== undefined) assertRunId(options.runId);
  if (jobsOf(options.jobs) > 1 && !options.workers) throw errorJobsWithoutSpec();
  const stages = planStages(experiment, options);
  const reporter = options.reporter ?? new ListrReporter();
  const teacherCache = options.teacherCache === undefined ? defaultTeacherCacheDir() : options.teacherCache;
  if (teacherCache) checkTeacherCache(teacherCache);
  const selected = await selectBackend(options.backend ?? 'auto', {
    blas: options.blas,
    compiledStep: options.compiledStep,
  });
  let datasets = new DatasetCache(registry, experiment.baseDir);
  try {
    // Every cell this invocation may train: its search points and the cells after them (the first point's until one wins).
    const plans = stagePlans(experiment, stages, { shard: options.shard });
    const cells = [...(plans.search?.cells ?? []), ...plans.final.cells];
    await datasets.loadAll(cells);
    await assertCellsTakeTheirData(cells, datasets, registry, (warning) => reporter.warn(warning));
    const backend = await chooseBackendForRun(selected, {
      registry,
      cells,
      datasets,
      runDir: givenRunDirectory(runDirectoryOf(experiment, options)),
    });
    if (backend.name !== selected.name) {
      // The data was made on the backend that lost the timing: make it again where training runs.
      datasets.dispose();
      datasets = new DatasetCache(registry, experiment.baseDir);
      await datasets.loadAll(cells);
    }
    await assertCellsFit(cells, datasets, backend, registry);
    // The identity hashes every cell: made once, for the run directory and each manifest write.
    const identity = runIdentity(experiment, metricColumns(experiment, registry), {
      ...optionalColumns(experiment, registry),
      confusion: await confusionShape(cells, datasets),
    });
    const { open, finished, confusionMissing } = startRun(experiment, identity, options, reporter);
    try {
      return await execute({
        experiment,
        registry,
        reporter,
        backend,
        datasets,
        teacherCache,
        open,
        finished,
        confusionMissing,
        identity,
        options,
        stages,
      });
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
  /** Finished runs kept without confusion rows (an older version finished them): named in the manifest. */
  readonly confusionMissing: readonly string[];
  readonly identity: RunIdentity;
  readonly options: RunOptions;
  readonly stages: Stages;
}

/** The stages in order in an open run directory: the search (or its winner from a table), then the cells after it. */
async function execute(input: ExecuteInput): Promise<RunSummary> {
  const { experiment, registry, backend, open, options, stages } = input;
  // Every role's first event passes here, the workers' included: the manifest names each role's training step.
  const reporter = new StepRecorder(input.reporter);
  const plans = stagePlans(experiment, stages, { shard: options.shard, finished: input.finished });
  let selection = stages.selection;
  let plan = plans.final;
  const cellCount = plan.cells.length + (plans.search?.cells.length ?? 0);
  const numerics = numericsOf(backend);
  const saveModels = saveModelsFor(options.saveModels, cellCount);
  // Roles whose trainings are open at once (successive halving's points, held at their rungs) report as log lines.
  const stageReporter = new StageReporter(reporter);
  const runner = new CellRunner({
    experiment,
    registry,
    writer: open.writer,
    reporter: stageReporter,
    runId: open.runId,
    backend: backend.name,
    datasets: input.datasets,
    signal: options.signal,
    teacherCache: input.teacherCache,
    numerics,
    saveModels,
    runDir: open.dir,
    progress: { cell: 0 },
  });
  const jobs = jobsOf(options.jobs);
  const pool =
    jobs > 1 && options.workers
      ? new WorkerPool({
          size: jobs,
          spec: options.workers.spec,
          entry: options.workers.entry,
          settings: {
            // The backend this process trains on (auto may have chosen it by timing): workers must match it.
            backend: backend.name,
            blas: options.blas,
            compiledStep: options.compiledStep,
            numerics,
            teacherCache: input.teacherCache,
            saveModels,
            runDir: open.dir,
            runId: open.runId,
            backendName: backend.name,
          },
          writer: open.writer,
          reporter,
          signal: options.signal,
          rowContext: (planned, stage) =>
            rowContextOf(
              { runId: open.runId, experiment, backend: backend.name },
              planned,
              experiment.search ? stage : undefined,
            ),
        })
      : undefined;
  const cells = new StageRunner(runner, pool, stageReporter, options.signal);
  const started = new Date();
  const manifest = (status: string, finished?: Date) =>
    writeManifest(open.writer, {
      experiment,
      runId: open.runId,
      backend,
      started,
      finished,
      status,
      shard: options.shard,
      identity: input.identity,
      previous: open.previous,
      selection,
      datasets: input.datasets.provenance(),
      confusionMissing: input.confusionMissing,
      trainingSteps: reporter.steps(),
    });
  reporter.runStart({
    experiment: experiment.name,
    runDir: open.dir,
    backend: describeBackend(backend),
    cells: cellCount,
    skippedCells: plan.done.length + (plans.search?.done.length ?? 0),
    trainings: trainingCounts(plans.search, plan),
  });
  manifest('running');
  let status: RunStatus = 'ok';
  let summary: readonly Row[];
  try {
    if (experiment.search && selection) {
      // Selected from the search stage's table: recorded here as if the search had run in this directory.
      runner.stage = 'final';
      writeSelection(open.dir, experiment.search, selection);
      reporter.note?.(`search rows from ${options.selection}: ${describeSelection(selection)}`);
    } else if (experiment.search && plans.search) {
      if (stages.after === 'stop') {
        await cells.search(plans.search);
        reporter.note?.(searchShareNote(options.shard));
      } else {
        selection = await searchStage(cells, experiment.search, plans.search, open, reporter);
        plan = stagePlans(experiment, { ...stages, selection }, { finished: input.finished }).final;
      }
    }
    await cells.final(plan, selection?.winner);
    status = cells.status;
  } catch (error) {
    status = isInterrupted(error) ? 'interrupted' : 'failed';
    throw error;
  } finally {
    await cells.close();
    manifest(status, new Date());
    // Also after a failure or an interrupt: a summary of what finished.
    summary = writeRunSummary(open.dir, (warning) => reporter.warn(warning), {
      higherIsBetter: (metric) => registry.higherIsBetter(metric),
    });
    await reporter.runEnd();
  }
  return { runId: open.runId, runDir: open.dir, backend, rows: cells.rows, status, summary };
}

/**
 * The trainings per role the cells of this invocation take, as `--dry-run` counts them: one per training key
 * (a teacher or person shared by cells, an epochs axis's checkpoints), the search points' teachers included.
 */
function trainingCounts(search: Plan | undefined, final: Plan): Record<Role, number> {
  const keys = (cells: readonly PlannedCell[], role: Role) => cells.map((p) => p.trainingKeys[role]);
  const searched = search?.cells ?? [];
  return {
    teacher: new Set([...keys(searched, 'teacher'), ...keys(final.cells, 'teacher')]).size,
    student: new Set(keys(final.cells, 'student')).size,
    person: new Set(keys(final.cells, 'person')).size,
  };
}

/**
 * The selection stage: trains the teacher of every search point (resumed points are kept), picks the
 * winner on the validation metric over all search rows, and writes selection.csv.
 * @throws DistilError NOTHING_SELECTED when no point's teacher finished.
 */
async function searchStage(
  cells: StageRunner,
  stage: SearchStage,
  plan: Plan,
  open: OpenRun,
  reporter: Reporter,
): Promise<Selection> {
  await cells.search(plan);
  const rows = open.writer.existingResults().records.filter((row) => row.stage === 'search');
  const selection = selectWinner(stage, rows);
  if (!selection) throw errorNothingSelected(stage.metric);
  writeSelection(open.dir, stage, selection);
  reporter.note?.(describeSelection(selection));
  return selection;
}

/**
 * Runs a stage's cells in this process, or with --jobs on worker processes: groups of cells that share no
 * training, side by side (a stage of one group runs here, as there is nothing to run beside it).
 */
class StageRunner {
  /** Who ran each stage, in order: the rows are theirs. */
  private readonly used: Array<CellRunner | WorkerPool> = [];

  constructor(
    private readonly runner: CellRunner,
    private readonly pool: WorkerPool | undefined,
    private readonly reporter: StageReporter,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get rows(): readonly Row[] {
    return [...new Set(this.used)].flatMap((source) => source.rows);
  }

  get status(): RunStatus {
    return this.used.some((source) => source.status === 'failed') ? 'failed' : 'ok';
  }

  /** The groups the workers take (a final stage's sweeps of one teacher and person split), or none: run here. */
  private groups(plan: Plan, stage: 'search' | 'final'): ScheduledGroup<PlannedCell>[] | undefined {
    if (!this.pool || plan.cells.length === 0) return undefined;
    // A search point trains its teacher alone: points share nothing else.
    const independent = independentGroups(plan.cells, stage === 'search' ? ['teacher'] : undefined);
    const groups =
      stage === 'final' ? scheduleGroups(independent, this.pool.size) : independent.map((cells) => ({ cells }));
    if (groups.length > 1) return groups;
    this.reporter.note?.(
      `--jobs: the ${plan.cells.length} cell(s) share their trainings (a teacher, a person or an epochs axis): they run one after another in this process`,
    );
    return undefined;
  }

  async search(plan: Plan): Promise<void> {
    const search = plan.experiment.search;
    if (search?.halving) {
      // The points wait for each other at every rung: they train in this process, one at a time.
      if (this.pool) this.reporter.note('--jobs: successive halving trains its points in this process, one at a time');
      this.used.push(this.runner);
      this.reporter.lines = true;
      try {
        await runHalving(this.runner, plan.cells, { ...search, halving: search.halving }, this.reporter, this.signal);
      } finally {
        this.reporter.lines = false;
      }
      return;
    }
    const groups = this.groups(plan, 'search');
    if (groups && this.pool) {
      this.used.push(this.pool);
      await this.pool.run({ stage: 'search', groups });
    } else {
      this.used.push(this.runner);
      await runSearchCells(this.runner, plan.cells);
    }
  }

  /** The cells after the search (its `winner`'s), or every cell of a spec without one. */
  async final(plan: Plan, winner: number | undefined): Promise<void> {
    if (plan.experiment.search) this.runner.stage = 'final';
    const groups = this.groups(plan, 'final');
    if (groups && this.pool) {
      this.used.push(this.pool);
      await this.pool.run({ stage: 'final', winner, groups });
    } else {
      this.used.push(this.runner);
      await runFinalCells(this.runner, plan.cells);
    }
  }

  async close(): Promise<void> {
    this.runner.dispose();
    await this.pool?.close();
  }
}
