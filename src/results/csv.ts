// Reads a results table back into records keyed by column name.
import { readFileSync, statSync } from 'node:fs';
import { DistilError, errorResults } from '../errors/index.js';
import { parseCsvRows, specialFileKind } from '../shared/index.js';

export type CsvRecord = Record<string, string>;

/**
 * Reads a CSV file with a header line into records keyed by column name.
 * @throws DistilError RESULTS_ERROR when the file is missing or has no header.
 */
export function readCsv(file: string): { columns: string[]; records: CsvRecord[] } {
  let text: string;
  try {
    const kind = specialFileKind(statSync(file));
    // A device or a FIFO would be read without end, or block.
    if (kind) throw errorResults(file, `is ${kind}, not a regular file (give the path of a results table)`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof DistilError) throw error;
    throw errorResults(file, 'cannot read the file (check the path; results live in results/<experiment>/<run-id>/results.csv)');
  }
  const [columns, ...rows] = parseCsvRows(text);
  if (!columns || columns.length === 0) throw errorResults(file, 'empty file, expected a header line');
  const records = rows
    .filter((row) => row.some((field) => field !== ''))
    .map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i] ?? ''])));
  return { columns, records };
}
