// Splits CSV text (RFC 4180: quoted fields, doubled quotes, embedded newlines) into rows that keep
// their line and column, so every message about a cell can point at it.

/** One non-blank row: its cells and where each starts (1-based line and column of the file). */
export interface CsvRow {
  readonly cells: readonly string[];
  /** The line the row starts on. */
  readonly line: number;
  /** 1-based line of each cell's first character (differs from `line` after a quoted newline). */
  readonly lines: readonly number[];
  /** 1-based column of each cell's first character. */
  readonly cols: readonly number[];
}

export interface CsvText {
  /** Rows with at least one non-blank cell; blank lines are skipped but still counted. */
  readonly rows: CsvRow[];
  /** Where a quoted cell opens that is never closed, if one is. */
  readonly unclosedQuote?: { readonly line: number; readonly col: number };
}

/** Parses CSV text; a leading UTF-8 byte order mark is ignored. `delimiter` is one character. */
export function parseCsvText(input: string, delimiter = ','): CsvText {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cols: number[] = [];
  let lines: number[] = [];
  let field = '';
  let line = 1;
  let lineStart = 0;
  let rowLine = 1;
  let fieldCol = 1;
  let fieldLine = 1;
  let quoteOpened: { line: number; col: number } | undefined;
  const endField = (next: number) => {
    cells.push(field);
    cols.push(fieldCol);
    lines.push(fieldLine);
    field = '';
    fieldCol = next - lineStart + 1;
    fieldLine = line;
  };
  const endRow = () => {
    if (cells.some((cell) => cell.trim() !== '')) rows.push({ cells, line: rowLine, lines, cols });
    cells = [];
    cols = [];
    lines = [];
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoteOpened) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoteOpened = undefined;
      else {
        field += char;
        if (char === '\n') {
          line++;
          lineStart = i + 1;
        }
      }
    } else if (char === '"') quoteOpened = { line, col: i - lineStart + 1 };
    else if (char === delimiter) endField(i + 1);
    else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      line++;
      lineStart = i + 1;
      endField(i + 1);
      endRow();
      rowLine = line;
    } else field += char;
  }
  if (field !== '' || cells.length > 0 || quoteOpened) {
    endField(text.length);
    endRow();
  }
  return { rows, ...(quoteOpened ? { unclosedQuote: quoteOpened } : {}) };
}
