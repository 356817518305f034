// Reads CSV tables back (RFC 4180: quoted fields, doubled quotes, embedded newlines).
import { readFileSync } from 'node:fs';
import { errorResults } from '../errors.js';

export type CsvRecord = Record<string, string>;

/** Parses CSV text into rows of fields (`delimiter` is one character, ',' by default). */
export function parseCsvRows(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

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
