// Turns a resolved experiment into the list of cells this invocation runs: shard, resume, dry run.
import { runKey } from '../results/index.js';
import type { Shard } from './shard.js';
import type { Role } from '../shared/index.js';
import type { ResolvedCell, ResolvedExperiment } from '../config/index.js';
import { contentHash } from '../shared/index.js';
import type { ResolvedModel } from '../config/index.js';
import { splitSeedOf } from '../config/index.js';
import { independentGroups, scheduleGroups } from './groups.js';
import type { ScheduledGroup } from './groups.js';
import { jobsOf } from './jobs.js';
import type { JobsRequest } from './jobs.js';

export interface PlannedCell {
  readonly cell: ResolvedCell;
  /** `distillation.temperature=4, distillation=kd(temperature=2)` (empty without a grid): the cell's label. */
  readonly label: string;
  /** Cells with the same key share one trained teacher: its config, the dataset and the seed. */
  readonly teacherKey: string;
  /** Cells with the same key share one trained person: it depends on its own config, the dataset and the seed only. */
  readonly personKey: string;
  /** Cells with the same key share one trained student: its config, the distillation, its teacher (by key) and the seed. */
  readonly studentKey: string;
  /**
   * Per role, the key of the training that gives its model: the role's key without its epoch count when
   * nothing else depends on that count (no early stopping), so cells that differ only in epochs share one
   * training to the largest count; otherwise the role's own key.
   */
  readonly trainingKeys: Readonly<Record<Role, string>>;
  /** Cells with the same key share one loaded dataset. */
  readonly datasetKey: string;
}

export interface Plan {
  readonly experiment: ResolvedExperiment;
  readonly cells: readonly PlannedCell[];
  /** Cells (grid point and seed) this shard owns that an earlier run already finished. */
  readonly done: readonly PlannedCell[];
  readonly shard?: Shard;
  /** Lines the dry run adds after the plan (what this invocation does of a search). */
  readonly notes?: readonly string[];
  /** `search`: the cells are search points whose teachers alone train (a shard's stage 1); `selected`: the search's winner came from a table. */
  readonly stage?: 'search' | 'selected';
}

/** True when a training to more epochs passes through this role's model at its own count: nothing depends on the count but the loop. */
export function epochsShareable(model: ResolvedModel): boolean {
  return model.training.earlyStopping === undefined && model.load === undefined;
}

/** A role's config without its epoch count, for the key of a training that serves several counts. */
function withoutEpochs(model: ResolvedModel): unknown {
  return { ...model, training: { ...model.training, epochs: undefined } };
}

function planCell(cell: ResolvedCell): PlannedCell {
  const { seed, splitSeed, dataset, models, task, distillation, validation, transfer } = cell.config;
  // A model trained on another split is another model; a cell that splits with its own seed keeps its keys.
  const base = { seed, dataset, validation, task, ...(splitSeed === undefined ? {} : { splitSeed }) };
  // The student and the person train on the transfer set, when there is one; the teacher on the whole split.
  const small = { ...base, ...(transfer === undefined ? {} : { transfer }) };
  // A teacher with a seed of its own is the same teacher for every seed of the experiment.
  // Its key names the split it trains on in one way for every seed (the first seed's has no splitSeed).
  const teacherBase =
    models.teacher.seed === undefined
      ? base
      : { seed: models.teacher.seed, dataset, validation, task, splitSeed: splitSeedOf(cell.config) };
  const teacherKey = contentHash({ ...teacherBase, teacher: models.teacher });
  const personKey = contentHash({ ...small, person: models.person });
  const studentKey = contentHash({ ...small, teacherKey, distillation, student: models.student });
  const trainingKey = (role: Role, key: string, keyWithout: (model: unknown) => string) =>
    epochsShareable(models[role]) ? keyWithout(withoutEpochs(models[role])) : key;
  return {
    cell,
    label: cell.label,
    teacherKey,
    personKey,
    studentKey,
    trainingKeys: {
      teacher: trainingKey('teacher', teacherKey, (teacher) => contentHash({ ...teacherBase, teacher })),
      student: trainingKey('student', studentKey, (student) =>
        contentHash({ ...small, teacherKey, distillation, student }),
      ),
      person: trainingKey('person', personKey, (person) => contentHash({ ...small, person })),
    },
    // The data depends on the seed of its splits alone: the seeds that share it share one loaded dataset.
    datasetKey: contentHash({ seed: splitSeedOf(cell.config), dataset, validation }),
  };
}

/** The key of a role's trained model in a cell (cells with the same key share it). */
export function roleKey(planned: PlannedCell, role: Role): string {
  return role === 'teacher' ? planned.teacherKey : role === 'person' ? planned.personKey : planned.studentKey;
}

/** Plans a run: the cells of this shard, less those `finished` ({@link runKey}s) says are done. */
export function planRun(
  experiment: ResolvedExperiment,
  options: { shard?: Shard; finished?: ReadonlySet<string>; cells?: readonly ResolvedCell[] } = {},
): Plan {
  const { shard, finished = new Set<string>(), cells = experiment.cells } = options;
  const mine = cells.filter((cell) => !shard || cell.index % shard.count === shard.index - 1).map(planCell);
  return {
    experiment,
    cells: mine.filter((p) => !finished.has(runKey(p.cell.id, p.cell.seed))),
    done: mine.filter((p) => finished.has(runKey(p.cell.id, p.cell.seed))),
    shard,
  };
}

/** `grid: training.optimizer.lr (2 values) x zip of distillation.temperature, distillation.alpha (3 steps) = 6 point(s)`. */
function gridLine(experiment: ResolvedExperiment): string[] {
  if (experiment.axes.length === 0) return [];
  const axes = experiment.axes.map((axis) =>
    axis.paths.length > 1
      ? `zip of ${axis.paths.join(', ')} (${axis.length} steps)`
      : `${axis.paths[0]} (${axis.length} value${axis.length === 1 ? '' : 's'})`,
  );
  const points = experiment.axes.reduce((product, axis) => product * axis.length, 1);
  return [`grid: ${axes.join(' x ')} = ${points} point(s)`];
}

/** The selection stage as --dry-run shows it: what is searched, how the winner is chosen, what carries over. */
function searchLines(experiment: ResolvedExperiment, stage: Plan['stage']): string[] {
  const search = experiment.search;
  if (!search || stage === 'selected') return [];
  const seeds = new Set(search.cells.map((cell) => cell.seed)).size;
  const axes = search.random
    ? `${search.points.length} point(s) drawn (seed ${search.random.seed}) from ${Object.entries(search.random.space)
        .map(
          ([path, distribution]) =>
            `${path} ${Object.keys(distribution)[0]} ${JSON.stringify(Object.values(distribution)[0])}`,
        )
        .join(', ')}`
    : search.axes.map((axis) => `${axis.path} (${axis.values.length} value(s))`).join(' x ');
  const trainings = new Set(search.cells.map((cell) => planCell(cell).trainingKeys.teacher)).size;
  const shared = trainings < search.cells.length ? ` (points that differ only in epochs share one training)` : '';
  return [
    `search (stage 1): teacher at ${search.points.length} point(s) x ${seeds} seed(s) = ${trainings} teacher training(s)${shared}: ${axes}`,
    ...(search.halving
      ? [
          `  successive halving: every point to epoch ${search.halving.rungs.join(', then the best 1/' + search.halving.eta + ' to epoch ')} (the others stop, status pruned)`,
        ]
      : []),
    `  select: the ${search.higherIsBetter ? 'highest' : 'lowest'} mean val_${search.metric} (the test split only reports)`,
    `  carry to the student and the person: ${search.carry.length > 0 ? search.carry.join(', ') : 'nothing (only the teacher is chosen)'}`,
    stage === 'search'
      ? 'this shard trains the search points below, and stops'
      : `then (stage 2) the cells below, with the winner's values (shown for the first point):`,
  ];
}

/** With several seeds, which seed draws the data's splits (see `splits:`). */
function splitsLine(plan: Plan): string[] {
  const cells = plan.experiment.cells;
  if (new Set(cells.map((cell) => cell.seed)).size < 2) return [];
  const shared = cells.find((cell) => cell.config.splitSeed !== undefined)?.config.splitSeed;
  return shared === undefined
    ? ["splits: each seed's own (splits: per-seed): the intervals include the split's noise"]
    : [
        `splits: seed ${shared}'s (the first seed) for every seed: the seeds vary the training only (splits: per-seed draws each seed's own)`,
      ];
}

/** With --jobs above 1: how the cells split into groups that run side by side. */
function scheduleLines(plan: Plan, jobs: number): string[] {
  if (jobs <= 1 || plan.cells.length === 0) return [];
  const groups: ScheduledGroup<PlannedCell>[] =
    plan.stage === 'search'
      ? independentGroups(plan.cells, ['teacher']).map((cells) => ({ cells }))
      : scheduleGroups(independentGroups(plan.cells), jobs);
  if (groups.length === 1) {
    return [
      `schedule (--jobs ${jobs}): the ${plan.cells.length} cell(s) share their trainings (a teacher, a person or an epochs axis): one after another in this process`,
    ];
  }
  const sizes = groups.map((group) => group.cells.length).join(', ');
  const taking = groups.filter((group) => group.handoff === 'read').length;
  const handed =
    taking > 0
      ? `; ${taking} of them train students with the teacher and person another group trained (a sweep of the distillation settings)`
      : '';
  return [
    `schedule (--jobs ${jobs}): ${groups.length} groups of cells (${sizes} cell(s)) on ${Math.min(jobs, groups.length)} worker process(es)${handed}; this process writes the tables`,
  ];
}

/** The plan as text for `--dry-run`; with `jobs`, the schedule on worker processes too. */
export function formatPlan(plan: Plan, options: { jobs?: JobsRequest } = {}): string {
  const count = (key: (p: PlannedCell) => string) => new Set(plan.cells.map(key)).size;
  const seeds = count((p) => String(p.cell.seed));
  const points = count((p) => p.cell.id);
  const lines = [
    `experiment ${plan.experiment.name}: ${plan.cells.length} cell(s) to run (${points} grid point(s) x ${seeds} seed(s))` +
      (plan.done.length > 0 ? `, ${plan.done.length} already done` : '') +
      (plan.shard ? ` (shard ${plan.shard.index}/${plan.shard.count})` : ''),
    ...gridLine(plan.experiment),
    ...searchLines(plan.experiment, plan.stage),
    plan.stage === 'search'
      ? `trainings: teacher ${count((p) => p.trainingKeys.teacher)} (search points that differ only in epochs share one training to the largest)`
      : `trainings: teacher ${count((p) => p.trainingKeys.teacher)}, student ${count((p) => p.trainingKeys.student)}, person ${count((p) => p.trainingKeys.person)}` +
        ` (a teacher or person shared by cells of the same seed is trained once${plan.cells.some((p) => p.cell.config.models.teacher.seed !== undefined) ? ', a teacher with its own seed once for every seed' : ''}; cells that differ only in a role's epochs share one training to the largest)` +
        (plan.experiment.search && plan.stage !== 'selected'
          ? '; after the search: its winning teacher is not trained again'
          : ''),
    ...splitsLine(plan),
    ...scheduleLines(plan, jobsOf(options.jobs)),
  ];
  for (const p of plan.cells) {
    const { models } = p.cell.config;
    const sizes = (role: 'teacher' | 'student') => models[role].layers.map((l) => l.params.units ?? l.name).join('-');
    const student = plan.stage === 'search' ? '' : `  student [${sizes('student')}]`;
    lines.push(
      `  cell ${p.cell.id}  seed ${p.cell.seed}  ${p.label || '(no grid)'}  teacher ${p.teacherKey} [${sizes('teacher')}]${student}`,
    );
  }
  lines.push(...(plan.notes ?? []));
  return lines.join('\n');
}
