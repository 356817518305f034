// The one CSV parser (RFC 4180: quoted fields, doubled quotes, embedded newlines) for data files and
// result tables alike: every row keeps the line and column of each cell, so a message can point at it.

/** One row: its cells and where each starts (1-based line and column of the file). */
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
  /** The rows in order; with `skipBlank`, only rows with a non-blank cell (the lines skipped still count). */
  readonly rows: CsvRow[];
  /** False when the text ends without a line break after its last row, e.g. a file cut mid-row. */
  readonly endsWithNewline: boolean;
  /** Where a quoted cell opens that is never closed, if one is. */
  readonly unclosedQuote?: { readonly line: number; readonly col: number };
  /** True when `maxRows` stopped the parse before the end of the text. */
  readonly truncated?: boolean;
}

export interface CsvOptions {
  /** One character. @default ',' */
  readonly delimiter?: string;
  /** Leave out rows whose cells are all blank (data files); result tables keep every row. @default false */
  readonly skipBlank?: boolean;
  /** Stop after this many rows (a sample of a data file); `truncated` says whether rows follow. @default all */
  readonly maxRows?: number;
}

/** Parses CSV text; a leading UTF-8 byte order mark is ignored. Line ends are LF, CRLF or CR. */
export function parseCsvText(input: string, options: CsvOptions = {}): CsvText {
  const { delimiter = ',', skipBlank = false, maxRows = Infinity } = options;
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
    if (!skipBlank || cells.some((cell) => cell.trim() !== '')) rows.push({ cells, line: rowLine, lines, cols });
    cells = [];
    cols = [];
    lines = [];
  };
  /** Moves past a line end at `i` (CRLF counts once); returns the index of its last character. */
  const newLine = (i: number): number => {
    const end = text[i] === '\r' && text[i + 1] === '\n' ? i + 1 : i;
    line++;
    lineStart = end + 1;
    return end;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoteOpened) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoteOpened = undefined;
      else if (char === '\n' || char === '\r') {
        const end = newLine(i);
        field += text.slice(i, end + 1);
        i = end;
      } else field += char;
    } else if (char === '"') quoteOpened = { line, col: i - lineStart + 1 };
    else if (char === delimiter) endField(i + 1);
    else if (char === '\n' || char === '\r') {
      i = newLine(i);
      endField(i + 1);
      endRow();
      rowLine = line;
      if (rows.length >= maxRows) return { rows, endsWithNewline: true, truncated: /\S/.test(text.slice(i + 1)) };
    } else field += char;
  }
  const open = field !== '' || cells.length > 0 || quoteOpened !== undefined;
  if (open) {
    endField(text.length);
    endRow();
  }
  return { rows, endsWithNewline: !open, ...(quoteOpened ? { unclosedQuote: quoteOpened } : {}) };
}

/** Parses CSV text into rows of fields, blank rows included. */
export function parseCsvRows(text: string, delimiter = ','): string[][] {
  return parseCsvText(text, { delimiter }).rows.map((row) => [...row.cells]);
}
