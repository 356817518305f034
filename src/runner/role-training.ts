// Trains one role of a cell with its progress shown and its epochs on disk as they finish; a failure becomes the role's status.
import { isBackendFatal } from '../backend/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { errorBackendFailure, isInterrupted } from '../errors/index.js';
import { historyRow } from '../results/index.js';
import type { Role } from '../shared/index.js';
import { withConfusion } from './confusion.js';
import { describeMetrics, roleEvent } from './context.js';
import type { ExecutionContext } from './context.js';
import type { LoadedData } from './dataset-cache.js';
import type { PlannedCell } from './plan.js';
import { runRole } from './role.js';
import type { RoleRun, StudentTeacher } from './role.js';
import { historyOfRun } from './train.js';
import type { EpochRecord } from './train.js';

/** A training to more epochs than the cell's own, serving `serves` (and the cell's count) on the way. */
export interface Longer {
  readonly epochs: number;
  readonly serves: readonly number[];
  onServed(epochs: number, run: RoleRun | string): void;
}

/** The config with one role's epoch count replaced. */
function withEpochs(config: ResolvedConfig, role: Role, epochs: number): ResolvedConfig {
  const model = config.models[role];
  return { ...config, models: { ...config.models, [role]: { ...model, training: { ...model.training, epochs } } } };
}

/** The options of a teacher's training that successive halving holds at its rungs. */
function halvingOptions(hooks: HalvingHooks, planned: PlannedCell) {
  return {
    rungs: hooks.rungs,
    gate: (record: EpochRecord) => hooks.gate(planned, record),
    begin: () => hooks.begin(planned),
  };
}

/** Trains roles for an execution, and shows (and records) the roles a cell takes without training them. */
/** Successive halving's hold on the teachers of a search stage while it runs (see halving.ts). */
export interface HalvingHooks {
  readonly rungs: ReadonlySet<number>;
  /** At a rung: resolves to whether this cell's teacher goes on to the next rung. */
  gate(planned: PlannedCell, record: EpochRecord): Promise<boolean>;
  /** Before the teacher computes anything: resolves when it is its turn to train. */
  begin(planned: PlannedCell): Promise<void>;
}

export class RoleTrainer {
  /** Set while a search stage runs by successive halving: its teachers stop at a rung when not among the best. */
  halving: HalvingHooks | undefined;

  constructor(private readonly context: ExecutionContext) {}

  /**
   * Trains a role with progress reporting and history rows; failures become a status (the message), not a crash.
   * With `longer`, it trains to `longer.epochs` and serves the cell's own count (and others) on the way.
   * @throws DistilError INTERRUPTED, BACKEND_FAILURE (a broken backend would fail every later cell the same way).
   */
  async train(
    planned: PlannedCell,
    role: Role,
    data: LoadedData,
    teacher?: StudentTeacher,
    longer?: Longer,
  ): Promise<RoleRun | string> {
    const { registry, experiment, reporter, writer, runId, signal } = this.context;
    const event = roleEvent(this.context, planned, role);
    const own = planned.cell.config.models[role].training;
    const config = longer ? withEpochs(planned.cell.config, role, longer.epochs) : planned.cell.config;
    const training = config.models[role].training;
    const serving = longer
      ? ` (serves epochs ${[...longer.serves, longer.epochs].join(', ')}: one training for the epochs axis)`
      : '';
    // Each model is measured on the test split once, for every cell that records it.
    const measured = (run: RoleRun | string) =>
      typeof run === 'string' ? run : withConfusion(run, data, config.evaluation.batchSize);
    // Below the longer count, this cell's model is the checkpoint served at its own count: its line shows that one.
    let checkpoint: RoleRun | string | undefined;
    const onServed = longer
      ? (epochs: number, served: RoleRun | string) => {
          const run = measured(served);
          if (epochs === own.epochs) checkpoint = run;
          longer.onServed(epochs, run);
        }
      : undefined;
    try {
      const trained = await runRole({
        registry,
        config,
        role,
        data,
        baseDir: experiment.baseDir,
        teacher,
        signal,
        serves: longer?.serves,
        onServed,
        ...(this.halving && role === 'teacher' ? halvingOptions(this.halving, planned) : {}),
        onModel: (model, extra) =>
          reporter.roleStart({
            ...event,
            epochs: training.epochs,
            step: extra.step,
            detail: `${model.countParams().toLocaleString('en-US')} params${extra.extraParams > 0 ? ` (+${extra.extraParams.toLocaleString('en-US')} of the method's own, not saved)` : ''}, ${training.epochs} epochs${serving}, batch ${training.batchSize}, ${training.optimizer.name}${extra.note ? `; ${extra.note}` : ''}`,
          }),
        onProgress: (progress) => reporter.step?.({ ...event, epochs: training.epochs, ...progress }),
        onEpoch: (record) => {
          reporter.epoch({ ...event, epochs: training.epochs, logEvery: training.logEvery, record });
          // On disk before the next epoch starts: a crash keeps every finished epoch (of this cell's own count).
          // A rung of successive halving is evaluated (its validation metric decides): its epoch keeps them.
          const rung = role === 'teacher' && this.halving?.rungs.has(record.epoch) === true;
          const [mine] = rung ? [record] : historyOfRun([record], own.epochs, own.evalEvery);
          if (mine) writer.appendHistory([historyRow(runId, planned.cell, role, mine)]);
        },
      });
      let done: RoleRun;
      try {
        done = withConfusion(trained, data, config.evaluation.batchSize);
      } catch (error) {
        trained.model.dispose(); // a failed role returns no model to its caller
        throw error;
      }
      if (typeof checkpoint === 'string') reporter.roleEnd({ ...event, status: 'failed', summary: checkpoint });
      else if (done.prunedAt !== undefined) {
        reporter.roleEnd({
          ...event,
          status: 'ok',
          summary: `pruned at epoch ${done.prunedAt} of ${training.epochs}, not among the best of its rung (${describeMetrics(done.test)})`,
        });
      } else {
        const shown = checkpoint ?? done;
        const at = longer ? ` at epoch ${checkpoint ? own.epochs : longer.epochs}` : '';
        reporter.roleEnd({
          ...event,
          status: 'ok',
          summary: `${describeMetrics(shown.test)}${at} (${shown.trainSeconds.toFixed(1)} s)`,
        });
      }
      return done;
    } catch (error) {
      const interrupted = isInterrupted(error);
      const message = error instanceof Error ? error.message : String(error);
      reporter.roleEnd({ ...event, status: interrupted ? 'interrupted' : 'failed', summary: message });
      if (interrupted) throw error;
      if (isBackendFatal(error)) throw errorBackendFailure(planned.label || planned.cell.id, role, message);
      return message;
    }
  }

  /** Progress for a role this cell takes without training it (from the cache, or shared with another cell). */
  async reportNotTrained(
    planned: PlannedCell,
    role: Role,
    detail: string,
    status: 'ok' | 'failed',
    summary: string,
  ): Promise<void> {
    const event = roleEvent(this.context, planned, role);
    await this.context.reporter.roleStart({ ...event, epochs: 0, detail });
    this.context.reporter.roleEnd({ ...event, status, summary });
  }

  /** A role's epochs written again under another cell that uses the same trained model. */
  copyHistory(planned: PlannedCell, role: Role, run: RoleRun): void {
    const { writer, runId } = this.context;
    writer.appendHistory(run.history.map((record) => historyRow(runId, planned.cell, role, record)));
  }
}
