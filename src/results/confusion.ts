// confusion.csv: each classification role's confusion matrix on the test split, in long format (one row per
// true and predicted class), identified like its results row; and what a resumed run checks of a finished role's rows.
import type { CsvRecord } from './csv.js';
import { axisValues } from './rows.js';
import type { Confusion, Row, RowContext } from './rows.js';
import type { Role } from '../shared/index.js';

/** The columns of confusion.csv after its identifying ones; the name columns only when a dataset names its classes. */
export const CONFUSION_CLASS_COLUMNS = ['true_class', 'predicted_class'] as const;
export const CONFUSION_NAME_COLUMNS = ['true_name', 'predicted_name'] as const;

/**
 * The rows of one role's confusion matrix: every pair of classes, zeros included (so a finished role has
 * exactly k x k rows, which a resume can check), each with the columns results.csv identifies its row by.
 */
export function confusionRows(context: RowContext, role: Role, { counts, names }: Confusion): Row[] {
  const id = {
    run_id: context.runId,
    experiment: context.experiment,
    cell_id: context.cell.id,
    cell: context.label,
    ...axisValues(context.cell.overrides),
    role,
    seed: context.cell.config.seed,
  };
  return counts.flatMap((row, truth) =>
    row.map((count, predicted) => ({
      ...id,
      true_class: truth,
      predicted_class: predicted,
      ...(names ? { true_name: names[truth] ?? '', predicted_name: names[predicted] ?? '' } : {}),
      count,
    })),
  );
}

/**
 * What is wrong with the confusion rows of one finished role, if anything: none at all, a pair of classes
 * twice, a count that is not a whole number, or not every pair of k classes (a cut or edited file).
 */
export function confusionProblem(records: readonly CsvRecord[]): string | undefined {
  if (records.length === 0) return 'has no rows';
  const k = Math.round(Math.sqrt(records.length));
  const seen = new Set<string>();
  for (const record of records) {
    const pair = `${record.true_class},${record.predicted_class}`;
    const [truth, predicted, count] = [record.true_class, record.predicted_class, record.count].map(Number);
    const whole = (value: number, below: number) => Number.isInteger(value) && value >= 0 && value < below;
    if (seen.has(pair)) return `repeats the pair true ${record.true_class}, predicted ${record.predicted_class}`;
    if (!whole(truth, k) || !whole(predicted, k) || !whole(count, Infinity)) {
      return `has a row that is not one of ${k} x ${k} whole counts (true ${record.true_class}, predicted ${record.predicted_class}, count ${record.count})`;
    }
    seen.add(pair);
  }
  return k * k === records.length ? undefined : `has ${records.length} rows, not the k x k of a whole matrix`;
}
