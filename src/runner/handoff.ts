// A cell's teacher and person handed from the worker process that trained them to the workers that train the
// students of the cells sharing them (--jobs): the teacher's weights in the teacher cache's format, and both
// roles' figures as the tables record them, in `<run dir>/.handoff/<key>/`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { makeDirectories, writeFileAtomic } from '../shared/index.js';
import type { CellRunner } from './cell-runner.js';
import type { ExecutionContext } from './context.js';
import type { LoadedData } from './dataset-cache.js';
import type { PlannedCell } from './plan.js';
import { buildRoleModel } from './role.js';
import type { RoleRun } from './role.js';
import { modelInfo } from './saved-models.js';
import { loadTeacher, saveTeacher } from './teacher-cache.js';
import type { TeacherEntry } from './teachers.js';

/** A role's figures without its model and metric components: what crosses to another process. */
type Figures = Omit<RoleRun, 'model' | 'metrics'>;

interface HandoffFile {
  readonly teacher:
    | { readonly figures: Figures; readonly source?: TeacherEntry['source']; readonly trainedFor?: string }
    | { readonly error: string };
  readonly person: { readonly figures: Figures } | { readonly error: string };
  readonly saved: { readonly teacher?: string; readonly person?: string };
}

const FILE = 'handoff.json';
const TEACHER = 'teacher';

/** Where a run's hand-offs go: removed when the run ends. */
export function handoffRoot(runDir: string): string {
  return path.join(runDir, '.handoff');
}

/** The hand-off directory of a group's shared teacher and person. */
export function handoffDir(runDir: string, planned: PlannedCell): string {
  return path.join(handoffRoot(runDir), `${planned.teacherKey}-${planned.personKey}`);
}

function figuresOf(run: RoleRun): Figures {
  const { model: _model, metrics: _metrics, ...figures } = run;
  return figures;
}

/** Writes what `runner` holds of the cell's teacher and person (trained, or why not) for other processes. */
export async function writeHandoff(
  context: ExecutionContext,
  runner: CellRunner,
  planned: PlannedCell,
  data: LoadedData,
  dir: string,
): Promise<void> {
  const { teacher, person } = runner.sharedOf(planned);
  makeDirectories(dir);
  if (teacher?.run) {
    await saveTeacher(
      path.join(dir, TEACHER),
      teacher.run.model,
      modelInfo(context, planned, 'teacher', teacher.run, data),
      teacher.run,
    );
  }
  const file: HandoffFile = {
    teacher: teacher?.run
      ? { figures: figuresOf(teacher.run), source: teacher.source, trainedFor: teacher.trainedFor }
      : { error: teacher?.error ?? 'the teacher was not trained' },
    person:
      typeof person === 'object' ? { figures: figuresOf(person) } : { error: person ?? 'the person was not trained' },
    saved: { teacher: runner.savedDir(planned, 'teacher'), person: runner.savedDir(planned, 'person') },
  };
  writeFileAtomic(path.join(dir, FILE), JSON.stringify(file));
}

/**
 * Takes the cell's teacher and person from a hand-off directory into `runner`: the cells after it share them
 * as they would share models trained in this process.
 * @throws Error when the hand-off is missing or damaged (the worker then fails its group with the reason).
 */
export function readHandoff(
  context: ExecutionContext,
  runner: CellRunner,
  planned: PlannedCell,
  data: LoadedData,
  dir: string,
): void {
  const file = JSON.parse(readFileSync(path.join(dir, FILE), 'utf8')) as HandoffFile;
  let teacher: RoleRun | string;
  let source: TeacherEntry['source'];
  let trainedFor: string | undefined;
  if ('error' in file.teacher) teacher = file.teacher.error;
  else {
    const found = loadTeacher(path.join(dir, TEACHER), () =>
      buildRoleModel(context.registry, planned.cell.config, 'teacher', data.dataset, context.experiment.baseDir),
    );
    if (!found.model) {
      throw new Error(`the hand-off of the teacher in ${dir} cannot be read: ${found.damaged ?? 'missing'}`);
    }
    teacher = { ...file.teacher.figures, model: found.model as tf.LayersModel, metrics: [] };
    source = file.teacher.source;
    trainedFor = file.teacher.trainedFor;
  }
  // The person's model is not needed: only its figures are shared (and its saved copy, if any).
  const person: RoleRun | string =
    'error' in file.person
      ? file.person.error
      : ({ ...file.person.figures, model: undefined, metrics: [] } as unknown as RoleRun);
  runner.adoptShared(planned, data, { teacher, source, trainedFor, person }, file.saved);
}
