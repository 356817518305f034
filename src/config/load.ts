// Loads a spec file as a YAML document that keeps source positions, and applies --set overrides.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, Scalar } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { errorFileNotFound, errorInvalidArgument, errorInvalidSpec } from '../errors.js';
import type { SourceLocation, SpecIssue } from '../errors.js';

export type PathSegment = string | number;

/** A spec as read from disk: the YAML document, positions, and where overridden values came from. */
export interface SpecSource {
  readonly file: string;
  readonly baseDir: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  /** Dotted path → the flag that set it (`--set training.epochs=1`). */
  readonly origins: Map<string, string>;
}

/** Renders a path as users write it: `models.teacher.layers[0]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Parses `a.b.0.c` into path segments; digits become array indices. */
export function parsePath(dotted: string): PathSegment[] {
  return dotted.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Reads and parses a spec file.
 * @throws DistilError FILE_NOT_FOUND, or INVALID_SPEC with every YAML syntax error located.
 */
export function loadSpecSource(file: string): SpecSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw errorFileNotFound(file, 'experiment spec', 'check the path; specs usually live in experiments/');
  }
  return parseSpecSource(text, file);
}

/** Parses spec text; `file` is used for messages and to resolve relative paths. */
export function parseSpecSource(text: string, file: string): SpecSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const issues: SpecIssue[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0]);
    return { location: { file, line: pos.line, col: pos.col }, path: '', message: firstLine(error.message) };
  });
  if (issues.length === 0 && !isMap(doc.contents)) {
    issues.push({ location: { file, line: 1, col: 1 }, path: '', message: 'must be a mapping of keys such as name, dataset, models' });
  }
  if (issues.length > 0) throw errorInvalidSpec(file, issues);
  return { file, baseDir: path.dirname(path.resolve(file)), doc, lineCounter, origins: new Map() };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Applies `path=value` overrides (values parsed as YAML, so `3`, `true` and `[1, 2]` keep their types).
 * @throws DistilError INVALID_ARGUMENT for a malformed override.
 */
export function applyOverrides(source: SpecSource, overrides: readonly string[]): void {
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0) throw errorInvalidArgument('--set', `expected path=value, got "${override}" (e.g. --set training.epochs=1)`);
    const dotted = override.slice(0, eq).trim();
    let value: unknown;
    try {
      value = parse(override.slice(eq + 1));
    } catch (error) {
      throw errorInvalidArgument(`--set ${dotted}`, `value is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    const segments = parsePath(dotted);
    if (segments.some((s) => s === '')) throw errorInvalidArgument('--set', `malformed path "${dotted}"`);
    source.doc.setIn(segments, source.doc.createNode(value));
    source.origins.set(formatPath(segments), `--set ${override}`);
  }
}

/** The pair holding `key` in a YAML map node, if any. */
function findPair(node: Node | null | undefined, key: PathSegment): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(key));
}

function childNode(node: Node | null | undefined, key: PathSegment): Node | undefined {
  if (isMap(node)) return (findPair(node, key)?.value ?? undefined) as Node | undefined;
  if (isSeq(node) && typeof key === 'number') return (node.items[key] ?? undefined) as Node | undefined;
  return undefined;
}

/**
 * Where a path points in the source: its value (or, with `atKey`, its key), else the nearest ancestor
 * that exists in the file. Values set from the command line report the flag instead.
 */
export function locate(source: SpecSource, segments: readonly PathSegment[], atKey = false): SourceLocation {
  for (let i = segments.length; i > 0; i--) {
    const origin = source.origins.get(formatPath(segments.slice(0, i)));
    if (origin) return { file: source.file, origin };
  }
  let node: Node | undefined = source.doc.contents ?? undefined;
  let best: Node | Scalar | undefined = node;
  for (let i = 0; i < segments.length && node; i++) {
    const last = i === segments.length - 1;
    if (last && atKey) {
      const pair = findPair(node, segments[i]);
      if (pair && isScalar(pair.key)) best = pair.key;
      break;
    }
    node = childNode(node, segments[i]);
    if (node?.range) best = node;
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = source.lineCounter.linePos(offset);
  return { file: source.file, line: pos.line, col: pos.col };
}
