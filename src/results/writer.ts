// Writes a run's tables as it goes: each row is appended whole, in one write, the moment it is known.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createObjectCsvStringifier } from 'csv-writer';
import { errorResults, errorWrite } from '../errors/index.js';
import { writeFileAtomic } from '../shared/index.js';
import { parseCsvRows } from '../shared/index.js';
import { CONFUSION_CLASS_COLUMNS, CONFUSION_NAME_COLUMNS } from './confusion.js';
import type { CsvRecord } from './csv.js';
import type { Row } from './rows.js';

export type { Row } from './rows.js';

/** The fixed columns of results.csv; `test_<metric>` columns sit between them. */
export const RESULT_COLUMNS_BEFORE = [
  'run_id', 'experiment', 'cell_id', 'cell', 'role', 'seed', 'backend', 'params', 'epochs', 'batch_size',
  'train_seconds', 'train_samples_per_sec',
] as const;
export const RESULT_COLUMNS_AFTER = ['distillation_gain', 'gain_metric', 'inference_ms_per_1000', 'source', 'status', 'error'] as const;
export const HISTORY_COLUMNS_BEFORE = ['run_id', 'cell_id', 'seed', 'role', 'epoch', 'train_loss', 'seconds', 'samples_per_sec'] as const;

/** What a run's tables record besides the fixed columns. */
export interface TableShape {
  /** The metric columns (`accuracy`, `loss`...): each becomes `test_<m>`, and `val_<m>` with a validation split. */
  readonly metrics: readonly string[];
  /** True when the cells have a validation split. */
  readonly validation?: boolean;
  /** The grid's swept paths (`distillation.temperature`...): one results column each, between `cell` and `role`. */
  readonly axes?: readonly string[];
  /** True when the experiment has a selection stage: a `stage` column says `search` or `final`. */
  readonly search?: boolean;
  /** True when a cell's distillation method reads representations: `extra_params` (the method's own weights) follows `params`. */
  readonly representations?: boolean;
  /** True when a cell trains on a transfer set: `train_examples` (the examples each role trained on) follows. */
  readonly transfer?: boolean;
  /**
   * Set for a classification run: its roles' confusion matrices go to confusion.csv, with the class names
   * (`names`) when a dataset names its classes. `names` undefined (not known before the data loads, as in a
   * dry run) accepts an existing confusion.csv with or without them.
   */
  readonly confusion?: { readonly names?: boolean };
}

/** The axis columns of a results table: each swept path once, less any that is a fixed column already (`seed`). */
export function axisColumns(axes: readonly string[] = []): string[] {
  const fixed: readonly string[] = [...RESULT_COLUMNS_BEFORE, ...RESULT_COLUMNS_AFTER];
  return [...new Set(axes)].filter((axis) => !fixed.includes(axis) && !/^(test|val)_/.test(axis));
}

/**
 * The columns of confusion.csv: those results.csv identifies a row by (run, experiment, cell id, cell label,
 * axis values, role, seed), then the two classes, their names when `names`, and the count.
 */
export function confusionColumns(axes: readonly string[] | undefined, names: boolean): string[] {
  const before = RESULT_COLUMNS_BEFORE.slice(0, RESULT_COLUMNS_BEFORE.indexOf('role'));
  return [...before, ...axisColumns(axes), 'role', 'seed', ...CONFUSION_CLASS_COLUMNS, ...(names ? CONFUSION_NAME_COLUMNS : []), 'count'];
}

/** The columns of both tables for a run of this shape. */
export function tableColumns(shape: TableShape): { results: string[]; history: string[] } {
  const tests = shape.metrics.map((c) => `test_${c}`);
  const vals = shape.validation ? shape.metrics.map((c) => `val_${c}`) : [];
  const kept = shape.validation ? ['kept_epoch'] : [];
  const role = RESULT_COLUMNS_BEFORE.indexOf('role');
  const params = RESULT_COLUMNS_BEFORE.indexOf('params') + 1;
  const extra = [
    ...(shape.representations ? ['extra_params'] : []),
    ...(shape.transfer ? ['train_examples'] : []),
  ];
  const before = [
    ...RESULT_COLUMNS_BEFORE.slice(0, role),
    ...axisColumns(shape.axes),
    ...RESULT_COLUMNS_BEFORE.slice(role, params),
    ...extra,
    ...RESULT_COLUMNS_BEFORE.slice(params),
  ];
  const stage = shape.search ? ['stage'] : [];
  return { results: [...before, ...tests, ...vals, ...kept, ...stage, ...RESULT_COLUMNS_AFTER], history: [...HISTORY_COLUMNS_BEFORE, ...tests, ...vals] };
}

/** The rows of a table written by an earlier invocation that can be trusted, and what had to be dropped. */
export interface ExistingTable {
  readonly records: CsvRecord[];
  /** Lines (1-based) that were cut short or malformed: a process was killed while writing them. */
  readonly dropped: number[];
}

/** Runs a write, turning a file-system failure into a message that names the file. */
function writing(file: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    throw errorWrite(file, error);
  }
}

class Table {
  private stringifier;

  /** `alternatives`: other headers an existing file may have (confusion.csv with or without class names, when not known). */
  constructor(readonly file: string, private columns: readonly string[], private readonly alternatives: readonly (readonly string[])[] = []) {
    this.stringifier = createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) });
  }

  /**
   * Reads the rows of an existing table. Only whole rows count: the last line without its newline was
   * cut by a kill, and a row with another number of fields than the header was damaged.
   * @throws DistilError RESULTS_ERROR when the header is not this run's (the table belongs to something else).
   */
  read(): ExistingTable {
    if (!existsSync(this.file)) return { records: [], dropped: [] };
    const text = readFileSync(this.file, 'utf8');
    const complete = text.endsWith('\n');
    const rows = parseCsvRows(text);
    const [header, ...body] = rows;
    const other = this.alternatives.find((columns) => header?.join(',') === columns.join(','));
    // The file's own header, of those this table accepts, is the one its rows are read and written by.
    if (other) {
      this.columns = other;
      this.stringifier = createObjectCsvStringifier({ header: other.map((id) => ({ id, title: id })) });
    }
    if (!header || header.join(',') !== this.columns.join(',')) {
      throw errorResults(this.file, `its header is not this run's (expected ${this.columns.length} columns: ${this.columns.join(',')}); start a new run with another --run-id`);
    }
    const records: CsvRecord[] = [];
    const dropped: number[] = [];
    body.forEach((fields, i) => {
      const cut = !complete && i === body.length - 1;
      if (cut || fields.length !== header.length) dropped.push(i + 2);
      else records.push(Object.fromEntries(header.map((column, j) => [column, fields[j]])));
    });
    return { records, dropped };
  }

  /** Replaces the file with the header and `records`, atomically. */
  rewrite(records: readonly CsvRecord[]): void {
    // The stringifier renders no records as an empty line, which would read back as a row.
    const body = records.length > 0 ? this.stringifier.stringifyRecords([...records]) : '';
    writing(this.file, () => writeFileAtomic(this.file, this.stringifier.getHeaderString() + body));
  }

  append(rows: readonly Row[]): void {
    if (rows.length === 0) return;
    // One write of whole lines with O_APPEND: a reader or a kill never sees half of one row glued to another.
    writing(this.file, () => appendFileSync(this.file, this.stringifier.stringifyRecords([...rows])));
  }
}

/** Appends rows to a run directory's results.csv, history.csv and (classification) confusion.csv; writes its manifest. */
export class RunWriter {
  readonly resultsFile: string;
  readonly historyFile: string;
  readonly confusionFile: string;
  readonly manifestFile: string;
  private readonly results: Table;
  private readonly history: Table;
  /** Absent for a run without classification cells: it writes no confusion.csv. */
  private readonly confusion?: Table;

  constructor(readonly dir: string, shape: TableShape) {
    this.resultsFile = path.join(dir, 'results.csv');
    this.historyFile = path.join(dir, 'history.csv');
    this.confusionFile = path.join(dir, 'confusion.csv');
    this.manifestFile = path.join(dir, 'manifest.json');
    const columns = tableColumns(shape);
    this.results = new Table(this.resultsFile, columns.results);
    this.history = new Table(this.historyFile, columns.history);
    if (shape.confusion) {
      const { names } = shape.confusion;
      const others = names === undefined ? [confusionColumns(shape.axes, true)] : [];
      this.confusion = new Table(this.confusionFile, confusionColumns(shape.axes, names === true), others);
    }
  }

  /** The trusted rows of results.csv from an earlier invocation with this run id. */
  existingResults(): ExistingTable {
    return this.results.read();
  }

  /** The trusted rows of history.csv from an earlier invocation with this run id. */
  existingHistory(): ExistingTable {
    return this.history.read();
  }

  /**
   * The trusted rows of confusion.csv from an earlier invocation with this run id; undefined when the run
   * writes none (no classification cell) or the file is not there (a run started by an older version).
   */
  existingConfusion(): ExistingTable | undefined {
    return this.confusion && existsSync(this.confusion.file) ? this.confusion.read() : undefined;
  }

  /**
   * Prepares the tables for this invocation: keeps the rows `keep` accepts (those of the cells a resumed
   * run finished) and drops every other row with its history and confusion rows, so each (cell, seed, role),
   * (cell, seed, role, epoch) and (cell, seed, role, true class, predicted class) appears once. A new run gets
   * header-only tables, so even a shard without cells leaves a table to merge. `existing` is what the caller
   * already read of the tables (read again otherwise; `confusion` undefined: there is no confusion.csv).
   * `relabel` gives a kept results row's `cell` label as this version writes it (an older version wrote
   * component values as JSON there): a changed label rewrites the table, so one run's rows agree.
   */
  start(
    keep: (record: CsvRecord) => boolean,
    existing: { results: ExistingTable; history: ExistingTable; confusion?: ExistingTable } = { results: this.results.read(), history: this.history.read() },
    relabel: (record: CsvRecord) => string = (record) => record.cell,
  ): { droppedLines: number } {
    let droppedLines = 0;
    const tables: Array<readonly [Table, ExistingTable]> = [[this.results, existing.results], [this.history, existing.history]];
    // Read here unless the caller has: a confusion.csv nobody read must not be taken for an empty one.
    const confusion = 'confusion' in existing ? existing.confusion : this.existingConfusion();
    if (this.confusion) tables.push([this.confusion, confusion ?? { records: [], dropped: [] }]);
    for (const [table, read] of tables) {
      const kept = read.records.filter(keep);
      // The results and confusion rows carry the cell label; history rows do not.
      const labelled = table === this.history ? kept : kept.map((record) => ({ ...record, cell: relabel(record) }));
      const relabelled = labelled.some((record, i) => record.cell !== kept[i].cell);
      droppedLines += read.dropped.length;
      if (!existsSync(table.file) || kept.length !== read.records.length || read.dropped.length > 0 || relabelled) table.rewrite(labelled);
    }
    return { droppedLines };
  }

  appendResult(row: Row): void {
    this.results.append([row]);
  }

  appendHistory(rows: readonly Row[]): void {
    this.history.append(rows);
  }

  /** Appends one role's confusion rows in one write (before its results row: a finished role always has them). */
  appendConfusion(rows: readonly Row[]): void {
    this.confusion?.append(rows);
  }

  /** Writes manifest.json atomically (a crash never leaves half a manifest). */
  writeManifest(manifest: unknown): void {
    writing(this.manifestFile, () => writeFileAtomic(this.manifestFile, `${JSON.stringify(manifest, null, 2)}\n`));
  }
}
