// Runs the cells of a plan one by one: each cell's teacher, student and person, each row on disk as its role ends.
import { isInterrupted } from '../errors/index.js';
import { confusionRows, gain, resultRow } from '../results/index.js';
import type { Row, RowContext, RowStatus } from '../results/index.js';
import type { Role } from '../shared/index.js';
import { describeMetrics, rowContextOf } from './context.js';
import type { ExecutionContext } from './context.js';
import type { LoadedData } from './dataset-cache.js';
import { EpochsAxis } from './epochs-axis.js';
import { runKey } from '../results/index.js';
import type { PlannedCell } from './plan.js';
import type { RoleRun } from './role.js';
import { RoleTrainer } from './role-training.js';
import type { HalvingHooks } from './role-training.js';
import type { RunStatus } from './run-options.js';
import { ModelSaver } from './saved-models.js';
import { Teachers } from './teachers.js';
import type { TeacherEntry } from './teachers.js';

export class CellRunner {
  /** The results rows this invocation wrote, in order. */
  readonly rows: Row[] = [];
  /** `search` or `final` in an experiment with a selection stage: the rows' `stage`. */
  stage: 'search' | 'final' | undefined;
  private readonly trainer: RoleTrainer;
  private readonly axis: EpochsAxis;
  private readonly teachers: Teachers;
  private readonly saver: ModelSaver;
  /** Each person trained in this run (or why it failed), by person key: every cell sharing it reuses it. */
  private readonly persons = new Map<string, RoleRun | string>();
  private failed = false;

  constructor(private readonly context: ExecutionContext) {
    this.trainer = new RoleTrainer(context);
    // A role that has its model already (a person or a teacher this run or the cache holds) is not trained for an epochs axis.
    this.axis = new EpochsAxis(this.trainer, (planned, role) =>
      role === 'person'
        ? this.persons.has(planned.personKey)
        : role === 'teacher' && this.teachers.has(planned.teacherKey),
    );
    this.teachers = new Teachers(context, this.trainer, this.axis);
    this.saver = new ModelSaver(context);
  }

  get status(): RunStatus {
    return this.failed ? 'failed' : 'ok';
  }

  /** Successive halving's hold on the search stage's teachers, while it runs; the teacher cache is not read then. */
  set halving(hooks: HalvingHooks | undefined) {
    this.trainer.halving = hooks;
    this.teachers.readCache = hooks === undefined;
  }

  /** The cells from the one about to run to the end of the current stage: an epochs axis serves them from one training. */
  set upcoming(cells: readonly PlannedCell[]) {
    this.axis.upcoming = cells;
  }

  private rowContext(planned: PlannedCell): RowContext {
    return rowContextOf(this.context, planned, this.stage);
  }

  private row(
    planned: PlannedCell,
    role: Role,
    run: RoleRun | undefined,
    status: RowStatus,
    error = '',
    source?: string,
  ): Row {
    return resultRow(this.rowContext(planned), role, run, status, error, source);
  }

  /**
   * Writes a role's results row, after its confusion rows when `run` has a matrix: a results row on disk
   * means its role's matrix is too (a resume keeps both or neither).
   */
  private emit(row: Row, planned?: PlannedCell, run?: RoleRun): void {
    if (row.status === 'failed') this.failed = true;
    if (planned && run?.confusion && row.status === 'ok') {
      this.context.writer.appendConfusion(confusionRows(this.rowContext(planned), run.role, run.confusion));
    }
    this.rows.push(row);
    this.context.writer.appendResult(row);
  }

  /** Runs a cell's three roles; each row is on disk before the next role starts (the student's waits for the person's gain). */
  async cell(planned: PlannedCell): Promise<void> {
    this.context.progress.cell += 1;
    const data = await this.context.datasets.get(planned);
    const teacher = await this.runTeacher(planned, data);
    if (!teacher.run) {
      for (const role of ['student', 'person'] as const) {
        this.emit(this.row(planned, role, undefined, 'skipped', 'the teacher failed'));
      }
      return;
    }
    let student: RoleRun | string | undefined;
    let person: RoleRun | string | undefined;
    let personStarted = false;
    try {
      const studentTeacher = teacher.trainOutputs && { outputs: teacher.trainOutputs, model: teacher.run.model };
      student = await this.axis.trainOrServe(planned, 'student', data, studentTeacher);
      await this.saver.save(planned, 'student', student, data);
      personStarted = true;
      person = await this.person(planned, data);
    } catch (error) {
      // An interrupt or a broken backend: the role that was training gets a row saying which; one that never started gets none.
      const unfinished = isInterrupted(error) ? undefined : (error as Error).message;
      student ??= unfinished;
      person ??= unfinished;
      throw error;
    } finally {
      this.emitPair(planned, student, personStarted ? person : null);
    }
  }

  /** A search point's teacher for one seed: trained (or taken from the cache) and recorded; nothing else trains. */
  async searchCell(planned: PlannedCell): Promise<void> {
    this.context.progress.cell += 1;
    await this.runTeacher(planned, await this.context.datasets.get(planned));
  }

  /** The cell's teacher, trained, shared or from the cache, with its row and epochs written for this cell. */
  private async runTeacher(planned: PlannedCell, data: LoadedData): Promise<TeacherEntry> {
    let teacher: TeacherEntry;
    try {
      teacher = await this.teachers.teacherOf(planned, data);
    } catch (error) {
      this.emitUnfinished(planned, 'teacher', error);
      throw error;
    }
    if (teacher.run && teacher.trainedFor !== runKey(planned.cell.id, planned.cell.seed)) {
      this.trainer.copyHistory(planned, 'teacher', teacher.run);
    }
    // A teacher halving stopped early is not the teacher its config describes: no saved model.
    const pruned = teacher.run?.prunedAt !== undefined;
    if (!pruned) await this.saver.save(planned, 'teacher', teacher.run, data);
    this.emit(
      teacher.run
        ? this.row(
            planned,
            'teacher',
            teacher.run,
            pruned ? 'pruned' : 'ok',
            '',
            teacher.source === 'cache' ? 'cache' : undefined,
          )
        : this.row(planned, 'teacher', undefined, 'failed', teacher.error),
      planned,
      teacher.run,
    );
    return teacher;
  }

  /**
   * The person of a cell: trained once per (person config, dataset, seed), since it does not depend on
   * the teacher or the distillation settings, and reused by every cell that shares it.
   */
  private async person(planned: PlannedCell, data: LoadedData): Promise<RoleRun | string> {
    const known = this.persons.get(planned.personKey);
    if (known !== undefined) {
      const detail = 'shared with an earlier cell of this seed (the person does not depend on the distillation method)';
      if (typeof known === 'string') await this.trainer.reportNotTrained(planned, 'person', detail, 'failed', known);
      else {
        await this.trainer.reportNotTrained(planned, 'person', detail, 'ok', `shared (${describeMetrics(known.test)})`);
        this.trainer.copyHistory(planned, 'person', known);
        await this.saver.save(planned, 'person', known, data);
      }
      return known;
    }
    const run = await this.axis.trainOrServe(planned, 'person', data);
    await this.saver.save(planned, 'person', run, data);
    // Only its figures are needed from here on: the gain of every cell that shares it.
    if (typeof run === 'object') run.model.dispose();
    this.persons.set(planned.personKey, run);
    return run;
  }

  /** The row of a role that an interrupt or a crash stopped, so the table shows where the run ended. */
  private emitUnfinished(planned: PlannedCell, role: Role, error: unknown): void {
    this.emit(
      this.row(planned, role, undefined, isInterrupted(error) ? 'interrupted' : 'failed', (error as Error).message),
    );
  }

  /** The student's row (with the gain) and the person's; `person` is null when it never started. */
  private emitPair(
    planned: PlannedCell,
    student: RoleRun | string | undefined,
    person: RoleRun | string | undefined | null,
  ): void {
    const asRow = (role: Role, run: RoleRun | string | undefined): Row =>
      run === undefined
        ? this.row(planned, role, undefined, 'interrupted', 'interrupted before it finished')
        : typeof run === 'string'
          ? this.row(planned, role, undefined, 'failed', run)
          : this.row(planned, role, run, 'ok');
    const studentRow = asRow('student', student);
    if (typeof student === 'object' && typeof person === 'object' && person !== null) {
      Object.assign(studentRow, gain(student.metrics, student, person));
    }
    const outcome = (run: RoleRun | string | undefined | null) =>
      typeof run === 'object' && run !== null ? run : undefined;
    this.emit(studentRow, planned, outcome(student));
    if (person !== null) this.emit(asRow('person', person), planned, outcome(person));
    // The person's model was disposed when it finished: only its figures are shared.
    if (typeof student === 'object') student.model.dispose();
  }

  /** Where this run saved the model of a cell's role, if it did. */
  savedDir(planned: PlannedCell, role: Role): string | undefined {
    return this.saver.savedDir(planned, role);
  }

  /** What this run holds of a cell's shared models: its teacher entry and its person (or why they failed). */
  sharedOf(planned: PlannedCell): { teacher?: TeacherEntry; person?: RoleRun | string } {
    return { teacher: this.teachers.entryOf(planned), person: this.persons.get(planned.personKey) };
  }

  /**
   * Takes a cell's teacher and person from another process of this run (see handoff.ts): the cells after it
   * share them as they would share a teacher and a person trained here, their saved models copied from `saved`.
   */
  adoptShared(
    planned: PlannedCell,
    data: LoadedData,
    shared: {
      teacher: RoleRun | string;
      source: TeacherEntry['source'];
      trainedFor?: string;
      person: RoleRun | string;
    },
    saved: { teacher?: string; person?: string },
  ): void {
    this.teachers.adopt(planned, shared.teacher, data, shared.source, shared.trainedFor);
    this.persons.set(planned.personKey, shared.person);
    if (saved.teacher) this.saver.adopt(planned, 'teacher', saved.teacher);
    if (saved.person) this.saver.adopt(planned, 'person', saved.person);
  }

  /** Frees a teacher no later cell needs (its rows and epochs are written). */
  releaseTeacher(key: string): void {
    this.teachers.release(key);
  }

  dispose(): void {
    this.axis.dispose();
    this.teachers.dispose();
  }
}

/** Trains the teachers of search points (rows with `stage: search`), in order. */
export async function runSearchCells(runner: CellRunner, cells: readonly PlannedCell[]): Promise<void> {
  runner.stage = 'search';
  for (const [i, planned] of cells.entries()) {
    runner.upcoming = cells.slice(i);
    await runner.searchCell(planned);
  }
}

/** Runs cells in order, freeing each teacher once no later cell needs it (`afterCell` first hears of each cell). */
export async function runFinalCells(
  runner: CellRunner,
  cells: readonly PlannedCell[],
  afterCell?: (planned: PlannedCell) => Promise<void>,
): Promise<void> {
  for (const [i, planned] of cells.entries()) {
    runner.upcoming = cells.slice(i);
    await runner.cell(planned);
    await afterCell?.(planned);
    // A sweep over seeds must not hold every seed's teacher.
    if (!cells.slice(i + 1).some((later) => later.teacherKey === planned.teacherKey)) {
      runner.releaseTeacher(planned.teacherKey);
    }
  }
}
