// Turns a resolved experiment into the list of cells this invocation runs: shard, resume, dry run.
import { errorInvalidArgument } from '../errors.js';
import type { ResolvedCell, ResolvedExperiment } from '../config/experiment.js';
import { contentHash } from '../config/experiment.js';

export interface Shard {
  /** 1-based shard number. */
  readonly index: number;
  readonly count: number;
}

export interface PlannedCell {
  readonly cell: ResolvedCell;
  /** `distillation.temperature=4, distillation.alpha=0.5` (empty without a grid). */
  readonly label: string;
  /** Cells with the same key share one trained teacher. */
  readonly teacherKey: string;
  /** Cells with the same key share one loaded dataset. */
  readonly datasetKey: string;
}

export interface Plan {
  readonly experiment: ResolvedExperiment;
  readonly cells: readonly PlannedCell[];
  /** Cells this shard owns that an earlier run already finished. */
  readonly done: readonly PlannedCell[];
  readonly shard?: Shard;
}

/**
 * Parses `--shard i/n`.
 * @throws DistilError INVALID_ARGUMENT for anything but 1 <= i <= n.
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || index < 1 || count < 1 || index > count) throw errorInvalidArgument('--shard', `expected i/n with 1 <= i <= n (e.g. 1/4), got "${text}"`);
  return { index, count };
}

export function cellLabel(cell: ResolvedCell): string {
  return Object.entries(cell.overrides)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

function planCell(cell: ResolvedCell): PlannedCell {
  const { seed, dataset, models, task } = cell.config;
  return {
    cell,
    label: cellLabel(cell),
    teacherKey: contentHash({ seed, dataset, task, teacher: models.teacher }),
    datasetKey: contentHash({ seed, dataset }),
  };
}

/** Plans a run: the cells of this shard, less those `finished` (cell ids) says are done. */
export function planRun(experiment: ResolvedExperiment, options: { shard?: Shard; finished?: ReadonlySet<string> } = {}): Plan {
  const { shard, finished = new Set<string>() } = options;
  const mine = experiment.cells.filter((cell) => !shard || cell.index % shard.count === shard.index - 1).map(planCell);
  return {
    experiment,
    cells: mine.filter((p) => !finished.has(p.cell.id)),
    done: mine.filter((p) => finished.has(p.cell.id)),
    shard,
  };
}

/** The plan as text for `--dry-run`: one line per cell with its id, grid values and teacher. */
export function formatPlan(plan: Plan): string {
  const teachers = new Set(plan.cells.map((p) => p.teacherKey));
  const lines = [
    `experiment ${plan.experiment.name}: ${plan.cells.length} cell(s) to run, ${teachers.size} teacher(s) to train` +
      (plan.done.length > 0 ? `, ${plan.done.length} already done` : '') +
      (plan.shard ? ` (shard ${plan.shard.index}/${plan.shard.count})` : ''),
  ];
  for (const p of plan.cells) {
    const { models } = p.cell.config;
    const sizes = (role: 'teacher' | 'student') => models[role].layers.map((l) => l.params.units ?? l.name).join('-');
    lines.push(`  cell ${p.cell.id}  ${p.label || '(no grid)'}  teacher ${p.teacherKey} [${sizes('teacher')}]  student [${sizes('student')}]`);
  }
  return lines.join('\n');
}
