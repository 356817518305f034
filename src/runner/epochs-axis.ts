// An epochs axis trains once: cells that differ only in a role's epoch count share one training to the largest
// count, each smaller count served on the way with the row and history a separate run of it gives.
import type { Role } from '../shared/index.js';
import { describeMetrics } from './context.js';
import type { LoadedData } from './dataset-cache.js';
import { epochsShareable, roleKey } from './plan.js';
import type { PlannedCell } from './plan.js';
import type { RoleRun, StudentTeacher } from './role.js';
import type { RoleTrainer } from './role-training.js';

export class EpochsAxis {
  /** Models a longer training gave at other epoch counts, by role and key, until their cell takes them. */
  private readonly served = new Map<string, RoleRun | string>();
  /** This cell and the cells after it in the current stage: those one training can serve. */
  upcoming: readonly PlannedCell[] = [];

  /**
   * @param trainer trains the roles and shows the ones served.
   * @param known whether a cell's role already has its model elsewhere (trained, shared or cached): none is trained for it.
   */
  constructor(
    private readonly trainer: RoleTrainer,
    private readonly known: (planned: PlannedCell, role: Role) => boolean,
  ) {}

  /**
   * A role's model for this cell: one an earlier training served at this epoch count, or a training of
   * its own — to the largest count of the upcoming cells that differ only in this role's epochs, serving
   * each of their counts on the way (an epochs axis costs one training).
   */
  async trainOrServe(
    planned: PlannedCell,
    role: Role,
    data: LoadedData,
    teacher?: StudentTeacher,
  ): Promise<RoleRun | string> {
    const served = await this.takeServed(planned, role);
    if (served !== undefined) return served;
    const counts = this.epochCounts(planned, role);
    if (counts.size <= 1) return this.trainer.train(planned, role, data, teacher);
    const own = planned.cell.config.models[role].training.epochs;
    const largest = Math.max(...counts.keys());
    const results = new Map<number, RoleRun | string>();
    const onServed = (epochs: number, run: RoleRun | string) => results.set(epochs, run);
    let last: RoleRun | string;
    try {
      const serves = [...counts.keys()].filter((e) => e < largest).sort((a, b) => a - b);
      last = await this.trainer.train(planned, role, data, teacher, { epochs: largest, serves, onServed });
    } catch (error) {
      // Interrupted or a broken backend: the cells after this one run again on resume.
      for (const run of results.values()) if (typeof run === 'object') run.model.dispose();
      throw error;
    }
    // A training that failed later still served the counts it passed; the others failed with it.
    for (const epochs of counts.keys()) {
      if (!results.has(epochs)) {
        results.set(
          epochs,
          epochs === largest || typeof last === 'string' ? last : `the training stopped before epoch ${epochs}`,
        );
      }
    }
    for (const [epochs, run] of results) if (epochs !== own) this.served.set(`${role}:${counts.get(epochs)}`, run);
    return results.get(own) as RoleRun | string;
  }

  /** Whether a model for this cell's role was served by a longer training and waits to be taken. */
  has(planned: PlannedCell, role: Role): boolean {
    return this.served.has(`${role}:${roleKey(planned, role)}`);
  }

  /** Epoch count → role key of this cell's and the upcoming cells' trainings of this role that one training can serve. */
  private epochCounts(planned: PlannedCell, role: Role): Map<number, string> {
    const counts = new Map([[planned.cell.config.models[role].training.epochs, roleKey(planned, role)]]);
    if (!epochsShareable(planned.cell.config.models[role])) return counts;
    for (const other of this.upcoming) {
      const epochs = other.cell.config.models[role].training.epochs;
      if (
        other.trainingKeys[role] !== planned.trainingKeys[role] ||
        counts.has(epochs) ||
        this.has(other, role) ||
        this.known(other, role)
      ) {
        continue;
      }
      counts.set(epochs, roleKey(other, role));
    }
    return counts;
  }

  /** The model an earlier training served for this cell's role, with its epochs written for this cell; undefined if none. */
  async takeServed(planned: PlannedCell, role: Role): Promise<RoleRun | string | undefined> {
    const key = `${role}:${roleKey(planned, role)}`;
    const run = this.served.get(key);
    if (run === undefined) return undefined;
    this.served.delete(key);
    const epochs = planned.cell.config.models[role].training.epochs;
    const from =
      typeof run === 'object' && run.checkpointOf
        ? `epoch ${epochs} of one ${run.checkpointOf}-epoch training`
        : `the last epoch of a training that also served epochs below ${epochs}`;
    const detail = `${from} (an epochs axis trains once)`;
    if (typeof run === 'string') await this.trainer.reportNotTrained(planned, role, detail, 'failed', run);
    else {
      await this.trainer.reportNotTrained(planned, role, detail, 'ok', describeMetrics(run.test));
      this.trainer.copyHistory(planned, role, run);
    }
    return run;
  }

  /** Frees the served models no cell took (an interrupted or failed run). */
  dispose(): void {
    for (const run of this.served.values()) if (typeof run === 'object') run.model.dispose();
    this.served.clear();
  }
}
