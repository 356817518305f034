// Reads a results table back into records keyed by column name.
import { readFileSync } from 'node:fs';
import { errorResults } from '../errors/index.js';
import { parseCsvRows } from '../shared/index.js';

export type CsvRecord = Record<string, string>;

/**
 * Reads a CSV file with a header line into records keyed by column name.
 * @throws DistilError RESULTS_ERROR when the file is missing or has no header.
 */
export function readCsv(file: string): { columns: string[]; records: CsvRecord[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw errorResults(file, 'cannot read the file (check the path; results live in results/<experiment>/<run-id>/results.csv)');
  }
  const [columns, ...rows] = parseCsvRows(text);
  if (!columns || columns.length === 0) throw errorResults(file, 'empty file, expected a header line');
  const records = rows
    .filter((row) => row.some((field) => field !== ''))
    .map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i] ?? ''])));
  return { columns, records };
}
