// Reads CSV tables back (RFC 4180: quoted fields, doubled quotes, embedded newlines).
import { readFileSync } from 'node:fs';
import { errorResults } from '../errors.js';

export type CsvRecord = Record<string, string>;

/** One parsed row and the 1-based line it starts on (a quoted field may span lines). */
export interface CsvLine {
  readonly fields: string[];
  readonly line: number;
}

/** CSV text parsed with positions, and how the text ended (a writer always ends with a newline). */
export interface ParsedCsv {
  readonly rows: CsvLine[];
  /** False when the text ends without a line break (after the last row), e.g. a file cut mid-row. */
  readonly endsWithNewline: boolean;
  /** The line of the row whose quoted field is still open at the end of the text, if any. */
  readonly openQuoteLine?: number;
}

/** Parses CSV text into rows of fields with their line numbers (`delimiter` is one character, ',' by default). */
export function parseCsvLines(text: string, delimiter = ','): ParsedCsv {
  const rows: CsvLine[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n' || (char === '\r' && text[i + 1] !== '\n')) line++;
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
      if (char === '\r' && text[i + 1] === '\n') {
        i++;
        line++;
      }
      row.push(field);
      rows.push({ fields: row, line: rowLine });
      row = [];
      field = '';
      rowLine = line;
    } else field += char;
  }
  const open = field !== '' || row.length > 0 || quoted;
  if (open) rows.push({ fields: [...row, field], line: rowLine });
  return { rows, endsWithNewline: !open, ...(quoted ? { openQuoteLine: rowLine } : {}) };
}

/** Parses CSV text into rows of fields (`delimiter` is one character, ',' by default). */
export function parseCsvRows(text: string, delimiter = ','): string[][] {
  return parseCsvLines(text, delimiter).rows.map((row) => row.fields);
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
