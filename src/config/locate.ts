// Spec paths (`models.teacher.layers[0]`) and where they point in the YAML source, or which flag set them.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';
import type { SourceLocation } from '../errors/index.js';
import { printableKey } from '../shared/index.js';

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
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? printableKey(s) : `.${printableKey(s)}`))
    .join('');
}

/** Parses `a.b.0.c` into path segments; digits become array indices. */
export function parsePath(dotted: string): PathSegment[] {
  return dotted.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** A map key as text: a scalar node from the file, or a plain value a --set override added. */
export function keyText(key: unknown): string | undefined {
  const value = isScalar(key) ? key.value : key;
  // `!!binary x:` or `!!set {}` as a key: not text (and JavaScript objects would stringify it).
  if (value === null && isScalar(key)) return String(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Each map's pairs by key, built once per map: looking keys up stays linear in the spec's size. */
const pairIndex = new WeakMap<object, { size: number; byKey: Map<string, Pair<unknown, unknown>> }>();

/** The pair holding `key` in a YAML map node (the first, if a key repeats). */
export function findPair(node: Node | null | undefined, key: PathSegment): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  let index = pairIndex.get(node);
  if (!index || index.size !== node.items.length) {
    const byKey = new Map<string, Pair<unknown, unknown>>();
    for (const pair of node.items) {
      const name = keyText(pair.key);
      if (name !== undefined && !byKey.has(name)) byKey.set(name, pair);
    }
    index = { size: node.items.length, byKey };
    pairIndex.set(node, index);
  }
  return index.byKey.get(String(key));
}

/** The child node of a map or list. */
export function childNode(node: Node | null | undefined, key: PathSegment): Node | undefined {
  if (isMap(node)) return (findPair(node, key)?.value ?? undefined) as Node | undefined;
  if (isSeq(node) && typeof key === 'number') return (node.items[key] ?? undefined) as Node | undefined;
  return undefined;
}

/** The flag that set this path or one of its ancestors. */
function originOf(source: SpecSource, segments: readonly PathSegment[]): string | undefined {
  if (source.origins.size === 0) return undefined;
  for (let i = segments.length; i > 0; i--) {
    const origin = source.origins.get(formatPath(segments.slice(0, i)));
    if (origin) return origin;
  }
  return undefined;
}

/** The flag that set something below this path (a key `--set` created, such as `nosuch` for `nosuch.key=1`). */
function descendantOrigin(source: SpecSource, segments: readonly PathSegment[]): string | undefined {
  const prefix = formatPath(segments);
  if (prefix === '') return undefined;
  for (const [dotted, origin] of source.origins) {
    if (dotted.startsWith(`${prefix}.`) || dotted.startsWith(`${prefix}[`)) return origin;
  }
  return undefined;
}

/** The node a path points at (its key with `atKey`; a list item has none), and whether it is written in the file itself. */
export function findNode(
  source: SpecSource,
  segments: readonly PathSegment[],
  atKey = false,
): { node: Node | undefined; inFile: boolean } {
  let node: Node | undefined = source.doc.contents ?? undefined;
  let best: Node | undefined = node;
  let inFile = true;
  for (let i = 0; i < segments.length && node; i++) {
    // A list item has no key: its own node stands for it (a layer's missing key points at the layer).
    if (i === segments.length - 1 && atKey && typeof segments[i] !== 'number') {
      const pair = findPair(node, segments[i]);
      if (pair && isScalar(pair.key) && pair.key.range) return { node: pair.key, inFile: true };
      return { node: best, inFile: false };
    }
    node = childNode(node, segments[i]);
    if (node?.range) best = node;
    else inFile = false;
  }
  return { node: best, inFile: inFile && node !== undefined };
}

/** The position of a character offset in the source (1-based line and column). */
export function offsetPosition(source: SpecSource, offset: number): SourceLocation {
  const pos = source.lineCounter.linePos(offset);
  return { file: source.file, line: pos.line, col: pos.col };
}

/** The position of a node. */
export function positionOf(source: SpecSource, node: Node | undefined): SourceLocation {
  return offsetPosition(source, node?.range?.[0] ?? 0);
}

/**
 * Where a path points in the source: its value (or, with `atKey`, its key), else the nearest ancestor
 * that exists in the file. Values set from the command line report the flag instead.
 */
export function locate(source: SpecSource, segments: readonly PathSegment[], atKey = false): SourceLocation {
  const origin = originOf(source, segments);
  if (origin) return { file: source.file, origin };
  const { node, inFile } = findNode(source, segments, atKey);
  if (!inFile && source.origins.size > 0) {
    const below = descendantOrigin(source, segments);
    if (below) return { file: source.file, origin: below };
  }
  return positionOf(source, node);
}
