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

/** Every key by which a cell shares a trained model (or one training) with another. */
function sharedKeys(planned: Sharing): string[] {
  return [
    `teacher:${planned.teacherKey}`,
    `person:${planned.personKey}`,
    `student:${planned.studentKey}`,
    ...ROLES.map((role) => `${role}-training:${planned.trainingKeys[role]}`),
  ];
}

/**
 * The cells in groups that share nothing trained, each group in the plan's order and the groups in the order
 * of their first cell: running the groups in any order, or side by side, trains what running the cells in
 * order trains, and each cell sees the same shared models.
 */
export function independentGroups<T extends Sharing>(cells: readonly T[]): T[][] {
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
    for (const key of sharedKeys(planned)) {
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
