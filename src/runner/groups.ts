// Splits a plan's cells into groups that share no training: cells that share a teacher, a person, a student or a
// training that serves several epoch counts stay together, so each group runs alone and gives the rows it would
// give in a run of every cell one after another.
import type { Role } from '../shared/index.js';

/** What a planned cell shares its trainings by (plan.ts's PlannedCell has these). */
interface Sharing {
  readonly teacherKey: string;
  readonly personKey: string;
  readonly studentKey: string;
  readonly trainingKeys: Readonly<Record<Role, string>>;
}

const ROLES: readonly Role[] = ['teacher', 'student', 'person'];

/** The key of a role's trained model in a cell (plan.ts's roleKey, for what Sharing has). */
const modelKey = (planned: Sharing, role: Role): string =>
  role === 'teacher' ? planned.teacherKey : role === 'person' ? planned.personKey : planned.studentKey;

/** Every key by which a cell shares a trained model (or one training) of the roles it trains with another. */
function sharedKeys(planned: Sharing, roles: readonly Role[]): string[] {
  return roles.flatMap((role) => [
    `${role}:${modelKey(planned, role)}`,
    `${role}-training:${planned.trainingKeys[role]}`,
  ]);
}

/**
 * The cells in groups that share nothing trained, each group in the plan's order and the groups in the order
 * of their first cell: running the groups in any order, or side by side, trains what running the cells in
 * order trains, and each cell sees the same shared models. `roles` are those the cells train: a search
 * point trains its teacher only, so its person and student join nothing.
 */
export function independentGroups<T extends Sharing>(cells: readonly T[], roles: readonly Role[] = ROLES): T[][] {
  return componentsBy(cells, (cell) => sharedKeys(cell, roles));
}

/** The cells joined through the keys `keysOf` gives: each component in order, the components by their first cell. */
function componentsBy<T>(cells: readonly T[], keysOf: (cell: T) => readonly string[]): T[][] {
  // Union-find over the cells, joined through the keys they share.
  const parent = cells.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root];
    // Path halving keeps later finds short.
    while (parent[i] !== root) [parent[i], i] = [root, parent[i]];
    return root;
  };
  const owner = new Map<string, number>();
  cells.forEach((planned, i) => {
    for (const key of keysOf(planned)) {
      const first = owner.get(key);
      if (first === undefined) owner.set(key, i);
      else {
        const [a, b] = [find(first), find(i)];
        // The smaller index stays the root, so a group is named by its first cell.
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const groups = new Map<number, T[]>();
  cells.forEach((planned, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group) group.push(planned);
    else groups.set(root, [planned]);
  });
  // Map keeps insertion order: the roots appear in the order of their first cell.
  return [...groups.values()];
}

/** `parts` in `count` runs of about as many cells each, in order (fewer when there are fewer parts). */
function chunks<T>(parts: readonly (readonly T[])[], count: number): T[][] {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out: T[][] = [];
  let current: T[] = [];
  let done = 0;
  for (const part of parts) {
    current.push(...part);
    done += part.length;
    // Closes a run once its share of the cells is reached.
    if (done >= (total * (out.length + 1)) / count) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A group as a worker takes it: after another (whose hand-off it reads), or handing its models on. */
export interface ScheduledGroup<T> {
  readonly cells: readonly T[];
  /** The scheduled group (by index) that trains the teacher and person this one takes. */
  readonly after?: number;
  /** `write`: hands its teacher and person on when its first cell ends; `read`: takes them before it starts. */
  readonly handoff?: 'write' | 'read';
}

/**
 * The groups as workers take them. With several workers and fewer than two groups per worker (too few to keep
 * them busy), a group whose cells share one teacher and one person but train different students (a sweep of
 * distillation settings) is split: the part with the first cell
 * trains the teacher and the person and hands them on; the other cells (those that share a student training
 * together), in one part per worker, then train their students on any worker, with the same teacher and person, as one process
 * would have shared them.
 */
export function scheduleGroups<T extends Sharing>(
  groups: readonly (readonly T[])[],
  workers: number,
): ScheduledGroup<T>[] {
  const scheduled: ScheduledGroup<T>[] = [];
  const split = workers > 1 && groups.length < 2 * workers;
  for (const group of groups) {
    const one = (key: (cell: T) => string) => new Set(group.map(key)).size === 1;
    const parts =
      split && group.length > 1 && one((c) => c.teacherKey) && one((c) => c.personKey)
        ? componentsBy(group, (c) => [`student:${c.studentKey}`, `student-training:${c.trainingKeys.student}`])
        : [group];
    if (parts.length === 1) {
      scheduled.push({ cells: group });
      continue;
    }
    const head = scheduled.push({ cells: parts[0], handoff: 'write' }) - 1;
    // One part per worker: each takes the teacher (and computes its outputs) once for all its students.
    for (const cells of chunks(parts.slice(1), workers)) scheduled.push({ cells, after: head, handoff: 'read' });
  }
  return scheduled;
}
