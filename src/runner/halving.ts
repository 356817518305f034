// Successive halving (Jamieson & Talwalkar 2016) over a search stage's teachers: every point trains to the first
// rung; there the best 1/eta on the mean validation metric go on, each from where it stands (its training is only
// held, never restarted), and the rest stop with their rows `pruned`; and so on to the teacher's own epochs. The
// points train one at a time, each to its next rung, in a fixed order.
import type { SearchStage } from '../config/index.js';
import { runKey } from '../results/index.js';
import { mean } from '../shared/index.js';
import type { CellRunner } from './cell-runner.js';
import type { PlannedCell } from './plan.js';
import type { Reporter } from './reporter.js';
import type { EpochRecord } from './train.js';

/** One teacher training of the search (a point on one seed) as the rungs see it. */
interface Training {
  readonly point: number;
  /** Set while it waits at a rung for the decision. */
  waiting?: { readonly rung: number; readonly value: number; go(goOn: boolean): void };
  /** Its training ended (finished, stopped at a rung, or failed). */
  settled: boolean;
}

/**
 * One training at a time, in the order they ask: a point trains from its start (or from a rung it goes on from)
 * to its next rung alone, so each epoch's time is its own and the points run in a fixed order.
 */
class Turn {
  private holder: string | undefined;
  private readonly queue: Array<{ key: string; start(): void }> = [];

  acquire(key: string): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ key, start: resolve });
      this.next();
    });
  }

  /** Lets the next one train, if `key` holds the turn. */
  release(key: string): void {
    if (this.holder !== key) return;
    this.holder = undefined;
    this.next();
  }

  private next(): void {
    if (this.holder !== undefined) return;
    const waiting = this.queue.shift();
    if (!waiting) return;
    this.holder = waiting.key;
    waiting.start();
  }
}

/** The rung decision: the points that go on (the best `max(1, floor(n / eta))` by their mean validation metric). */
export function promoted(
  values: ReadonlyMap<number, number>,
  eta: number,
  higherIsBetter: boolean,
): ReadonlySet<number> {
  // A point whose metric is not a number goes last; ties keep the order the search lists them in.
  const score = (value: number) => (Number.isNaN(value) ? -Infinity : higherIsBetter ? value : -value);
  const ranked = [...values.entries()].sort(([a, x], [b, y]) => score(y) - score(x) || a - b);
  const keep = Math.max(1, Math.floor(ranked.length / eta));
  return new Set(ranked.slice(0, keep).map(([point]) => point));
}

/**
 * Trains a search stage's teachers by successive halving in this process (each trains to its next rung, then
 * waits there for the others while the next one trains), and writes every point's row: `ok` for those that reached the last rung, `pruned` (with the
 * epoch it reached) for the others.
 * @throws DistilError INTERRUPTED, BACKEND_FAILURE: what the first training that failed so threw.
 */
export async function runHalving(
  runner: CellRunner,
  cells: readonly PlannedCell[],
  stage: SearchStage & { halving: NonNullable<SearchStage['halving']> },
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<void> {
  const { rungs, eta } = stage.halving;
  const trainings = new Map<string, Training>(
    cells.map((p) => [runKey(p.cell.id, p.cell.seed), { point: stage.pointIds.indexOf(p.cell.id), settled: false }]),
  );
  const alive = new Set([...trainings.values()].map((t) => t.point));
  const label = (point: number) => cells.find((p) => stage.pointIds.indexOf(p.cell.id) === point)?.label ?? '';

  /** When every training of the points still in has reached rung `rung` (or ended), decides who goes on. */
  const decide = () => {
    const open = [...trainings.values()].filter((t) => alive.has(t.point) && !t.settled);
    const rung = Math.min(...open.map((t) => t.waiting?.rung ?? Infinity));
    if (open.length === 0 || !open.every((t) => t.waiting?.rung === rung)) return;
    const values = new Map<number, number>();
    for (const point of alive) {
      const mine = [...trainings.values()].filter((t) => t.point === point);
      values.set(point, mean(mine.map((t) => t.waiting?.value ?? NaN)) ?? NaN);
    }
    const goOn = promoted(values, eta, stage.higherIsBetter);
    const stopped = [...alive].filter((point) => !goOn.has(point));
    reporter.note?.(
      `halving, epoch ${rungs[rung]}: ${goOn.size} of ${alive.size} point(s) go on to epoch ${rungs[rung + 1]} ` +
        `(best mean val_${stage.metric}): ${[...goOn].map(label).join('; ')}`,
    );
    for (const point of stopped) alive.delete(point);
    for (const training of open) {
      const { waiting } = training;
      training.waiting = undefined;
      waiting?.go(goOn.has(training.point));
    }
  };

  const turn = new Turn();
  const gate = async (planned: PlannedCell, record: EpochRecord): Promise<boolean> => {
    const key = runKey(planned.cell.id, planned.cell.seed);
    const training = trainings.get(key);
    const rung = rungs.indexOf(record.epoch);
    if (!training || rung < 0 || rung === rungs.length - 1) return true;
    const goOn = new Promise<boolean>((resolve) => {
      training.waiting = { rung, value: record.val?.[stage.metric] ?? NaN, go: resolve };
    });
    // The next point trains to the rung while this one waits for the decision.
    turn.release(key);
    decide();
    const decision = await goOn;
    // Going on, or finishing its row after the stop: its turn again.
    await turn.acquire(key);
    return decision;
  };
  const begin = (planned: PlannedCell) => turn.acquire(runKey(planned.cell.id, planned.cell.seed));

  // An interrupt lets every held training go on to its next batch, where it stops as interrupted.
  const release = () => {
    for (const training of trainings.values()) {
      training.waiting?.go(true);
      training.waiting = undefined;
    }
  };
  signal?.addEventListener('abort', release, { once: true });
  runner.stage = 'search';
  runner.halving = { rungs: new Set(rungs.slice(0, -1)), gate, begin };
  runner.upcoming = [];
  try {
    const ended = await Promise.allSettled(
      cells.map(async (planned) => {
        const training = trainings.get(runKey(planned.cell.id, planned.cell.seed)) as Training;
        try {
          await runner.searchCell(planned);
        } finally {
          turn.release(runKey(planned.cell.id, planned.cell.seed));
          // A point that failed on a seed is out (the selection needs every seed); the others need not wait for it.
          training.settled = true;
          if (rungs.length > 1 && alive.has(training.point) && !reachedEnd(runner, planned)) {
            alive.delete(training.point);
          }
          decide();
        }
      }),
    );
    const failure = ended.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    reporter.note?.(halvingCost(runner, cells, rungs[rungs.length - 1]));
  } finally {
    signal?.removeEventListener('abort', release);
    runner.halving = undefined;
  }
}

/** What halving saved: the teacher-epochs its points trained against every point trained to the last rung. */
function halvingCost(runner: CellRunner, cells: readonly PlannedCell[], epochs: number): string {
  const ids = new Set(cells.map((p) => p.cell.id));
  const trained = runner.rows
    .filter((row) => ids.has(String(row.cell_id)) && row.role === 'teacher')
    .reduce((sum, row) => sum + (Number(row.epochs) || 0), 0);
  const full = cells.length * epochs;
  return `halving trained the search's teachers for ${trained} epoch(s) in all, ${(trained / full).toFixed(2)}x the ${full} of training every point to epoch ${epochs}`;
}

/** Whether the search cell's teacher row says it trained to the end (not failed, not stopped at a rung). */
function reachedEnd(runner: CellRunner, planned: PlannedCell): boolean {
  const rows = runner.rows.filter((r) => r.cell_id === planned.cell.id && r.seed === planned.cell.seed);
  return rows[rows.length - 1]?.status === 'ok';
}
