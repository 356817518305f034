// Compares two results tables row by row (cell, role) and flags regressions beyond a threshold.
import { createObjectCsvStringifier } from 'csv-writer';
import type { CsvRecord } from './csv.js';
import { readCsv } from './csv.js';
import { formatTable, signed } from './table.js';

export interface CompareOptions {
  /** A metric worse in `b` than in `a` by more than this fails the comparison. */
  readonly maxRegression?: number;
  /** Orientation of each metric column (without `test_`): true when higher is better. */
  readonly higherIsBetter: (column: string) => boolean | undefined;
}

export interface MetricDelta {
  readonly cell: string;
  readonly role: string;
  readonly metric: string;
  readonly a: number;
  readonly b: number;
  /** b − a, signed so that positive is an improvement. */
  readonly improvement: number;
}

export interface Comparison {
  readonly deltas: readonly MetricDelta[];
  /** Deltas worse than `maxRegression`. */
  readonly regressions: readonly MetricDelta[];
  /** Rows in one table only, as `cell/role`. */
  readonly unmatched: readonly string[];
  readonly text: string;
}

/** The last row per (cell, role): a resumed run may have retried a role. */
function lastByKey(records: readonly CsvRecord[]): Map<string, CsvRecord> {
  const rows = new Map<string, CsvRecord>();
  for (const record of records) rows.set(`${record.cell}\0${record.role}`, record);
  return rows;
}

/** Compares results table `b` against `a` (the baseline). */
export function compareResults(fileA: string, fileB: string, options: CompareOptions): Comparison {
  const a = readCsv(fileA);
  const b = readCsv(fileB);
  const metrics = a.columns.filter((c) => c.startsWith('test_') && b.columns.includes(c)).map((c) => c.slice(5));
  const rowsA = lastByKey(a.records);
  const rowsB = lastByKey(b.records);
  const deltas: MetricDelta[] = [];
  const unmatched = [...new Set([...rowsA.keys(), ...rowsB.keys()])].filter((k) => !rowsA.has(k) || !rowsB.has(k)).map((k) => k.replace('\0', '/'));
  for (const [key, ra] of rowsA) {
    const rb = rowsB.get(key);
    if (!rb) continue;
    for (const metric of metrics) {
      const va = Number(ra[`test_${metric}`]);
      const vb = Number(rb[`test_${metric}`]);
      if (ra[`test_${metric}`] === '' || rb[`test_${metric}`] === '' || Number.isNaN(va) || Number.isNaN(vb)) continue;
      const sign = options.higherIsBetter(metric) === false ? -1 : 1;
      deltas.push({ cell: ra.cell, role: ra.role, metric, a: va, b: vb, improvement: sign * (vb - va) });
    }
  }
  const limit = options.maxRegression;
  const regressions = limit === undefined ? [] : deltas.filter((d) => d.improvement < -limit);
  const table = formatTable(
    ['cell', 'role', 'metric', 'a', 'b', 'change', ...(limit === undefined ? [] : ['check'])],
    deltas.map((d) => [d.cell || '-', d.role, d.metric, d.a, d.b, signed(d.improvement), ...(limit === undefined ? [] : [regressions.includes(d) ? 'REGRESSED' : 'ok'])]),
  );
  const notes = unmatched.length > 0 ? `\nin one table only: ${unmatched.join(', ')}` : '';
  return { deltas, regressions, unmatched, text: `${table}${notes}\n(change: b - a, positive = better)` };
}

/** Concatenates shard tables into one CSV text (columns unioned; the last row per run, cell and role wins). */
export function mergeResults(files: readonly string[]): { csv: string; rows: number } {
  const columns: string[] = [];
  const rows = new Map<string, CsvRecord>();
  for (const file of files) {
    const table = readCsv(file);
    for (const column of table.columns) if (!columns.includes(column)) columns.push(column);
    for (const record of table.records) rows.set(`${record.run_id}\0${record.cell_id}\0${record.role}`, record);
  }
  const stringifier = createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) });
  return { csv: stringifier.getHeaderString() + stringifier.stringifyRecords([...rows.values()]), rows: rows.size };
}
