// Writes a run's tables as it goes: results.csv and history.csv rows are appended as they are known.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createObjectCsvWriter } from 'csv-writer';
import { writeFileAtomic } from '../fs-atomic.js';
import { readCsv } from './csv.js';
import type { CsvRecord } from './csv.js';

/** The fixed columns of results.csv; `test_<metric>` columns sit between them. */
export const RESULT_COLUMNS_BEFORE = [
  'run_id', 'experiment', 'cell_id', 'cell', 'role', 'seed', 'backend', 'params', 'epochs', 'batch_size',
  'train_seconds', 'train_samples_per_sec',
] as const;
export const RESULT_COLUMNS_AFTER = ['distillation_gain', 'gain_metric', 'inference_ms_per_1000', 'source', 'status', 'error'] as const;
export const HISTORY_COLUMNS_BEFORE = ['run_id', 'cell_id', 'role', 'epoch', 'train_loss', 'seconds', 'samples_per_sec'] as const;

export type Row = Record<string, string | number | undefined>;

type CsvWriter = ReturnType<typeof createObjectCsvWriter>;

function csvFile(file: string, columns: readonly string[]): CsvWriter {
  // A file from an earlier, interrupted run keeps its header; new rows are appended under it.
  const append = existsSync(file);
  return createObjectCsvWriter({ path: file, header: columns.map((id) => ({ id, title: id })), append });
}

/** Appends rows to a run directory's results.csv and history.csv. */
export class RunWriter {
  readonly resultsFile: string;
  readonly historyFile: string;
  readonly manifestFile: string;
  private readonly results: CsvWriter;
  private readonly history: CsvWriter;
  /** Writes are chained so rows land in the order they were produced. */
  private pending: Promise<void> = Promise.resolve();

  constructor(readonly dir: string, metricColumns: readonly string[]) {
    mkdirSync(dir, { recursive: true });
    this.resultsFile = path.join(dir, 'results.csv');
    this.historyFile = path.join(dir, 'history.csv');
    this.manifestFile = path.join(dir, 'manifest.json');
    const tests = metricColumns.map((c) => `test_${c}`);
    this.results = csvFile(this.resultsFile, [...RESULT_COLUMNS_BEFORE, ...tests, ...RESULT_COLUMNS_AFTER]);
    this.history = csvFile(this.historyFile, [...HISTORY_COLUMNS_BEFORE, ...tests]);
  }

  /** The rows already in results.csv (from an earlier run with the same run id), for resuming. */
  existingResults(): CsvRecord[] {
    return existsSync(this.resultsFile) ? readCsv(this.resultsFile).records : [];
  }

  appendResult(row: Row): Promise<void> {
    return this.enqueue(() => this.results.writeRecords([row]));
  }

  appendHistory(rows: readonly Row[]): Promise<void> {
    return this.enqueue(() => this.history.writeRecords([...rows]));
  }

  /** Writes manifest.json atomically (a crash never leaves half a manifest). */
  writeManifest(manifest: unknown): void {
    writeFileAtomic(this.manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Resolves when every row handed over so far is on disk. */
  flush(): Promise<void> {
    return this.pending;
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    this.pending = this.pending.then(write);
    return this.pending;
  }
}
