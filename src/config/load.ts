// Loads a spec file as a YAML document that keeps source positions, and applies --set overrides.
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parse, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { describeScalar, errorInvalidArgument, errorInvalidSpec, issueAt, specUnreadable } from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import { SPEC_LIMITS } from '../shared/index.js';
import { nestedAxisKey } from './grid-flags.js';
import { childNode, formatPath, parsePath } from './locate.js';
import type { PathSegment, SpecSource } from './locate.js';
import { readSpecText } from './read.js';
import { intoList, intoNothing, throughScalar } from './path-problems.js';
import { flowDepthIssue, structureIssues, syntaxIssues, topLevelIssues } from './yaml-checks.js';

export { formatPath, locate, parsePath } from './locate.js';
export type { PathSegment, SpecSource } from './locate.js';

function refuse(file: string, issues: readonly SpecIssue[]): never {
  throw errorInvalidSpec(file, issues, SPEC_LIMITS.reportedIssues);
}

/**
 * Reads and parses a spec file.
 * @throws DistilError FILE_NOT_FOUND, FILE_UNREADABLE, or INVALID_SPEC with every YAML problem located.
 */
export function loadSpecSource(file: string): SpecSource {
  return parseSpecSource(readSpecText(file), file);
}

/**
 * Parses spec text; `file` is used for messages and to resolve relative paths.
 * @throws DistilError INVALID_SPEC for syntax errors, duplicate keys, excessive nesting or aliases.
 */
export function parseSpecSource(text: string, file: string): SpecSource {
  const tooDeep = flowDepthIssue(text, file);
  if (tooDeep) refuse(file, [tooDeep]);
  const lineCounter = new LineCounter();
  // Duplicate keys are found by structureIssues in linear time; the parser's own check is quadratic.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const source: SpecSource = { file, baseDir: path.dirname(path.resolve(file)), doc, lineCounter, origins: new Map() };
  const syntax = syntaxIssues(source, text);
  if (syntax.length > 0) refuse(file, syntax);
  const structure = structureIssues(source);
  if (structure.length > 0) refuse(file, structure);
  const top = topLevelIssues(source);
  if (top.length > 0) refuse(file, top);
  return source;
}

/**
 * The spec as plain data, aliases expanded (bounded: see {@link structureIssues}).
 * @throws DistilError INVALID_SPEC when an override made the document unreadable.
 */
export function specData(source: SpecSource): Record<string, unknown> {
  // Overrides can add nodes (and aliases) after the checks parseSpecSource made.
  if (source.origins.size > 0) {
    const issues = structureIssues(source);
    if (issues.length > 0) refuse(source.file, issues);
  }
  try {
    return source.doc.toJS({ maxAliasCount: -1 }) as Record<string, unknown>;
  } catch (error) {
    const reason = String((error as Error)?.message ?? error).split('\n')[0];
    return refuse(source.file, [issueAt({ file: source.file, line: 1, col: 1 }, '', specUnreadable(reason))]);
  }
}

/**
 * Why `--set` cannot write this path, if it cannot (see path-problems.ts). Otherwise, the path with
 * map keys as text and list indices as numbers, as the document's setIn expects.
 */
function settablePath(
  source: SpecSource,
  segments: readonly PathSegment[],
): { keys: PathSegment[] } | { problem: string } {
  let node: Node | undefined = (source.doc.contents ?? undefined) as Node | undefined;
  const keys: PathSegment[] = [];
  for (const [i, segment] of segments.entries()) {
    if (node && isScalar(node) && node.value === null) {
      // `dataset:` left empty: --set dataset.name=mnist fills it in.
      source.doc.setIn(keys, source.doc.createNode(typeof segment === 'number' ? [] : {}));
      node = source.doc.getIn(keys, true) as Node;
    }
    let problem: string | undefined;
    if (node === undefined) problem = intoNothing(segments, i);
    else if (isSeq(node)) problem = intoList(segments, i, node.items.length);
    else if (isAlias(node)) problem = throughScalar(segments, i, `an alias (*${node.source})`);
    else if (!isMap(node)) {
      problem = throughScalar(segments, i, describeScalar(isScalar(node) ? node.value : undefined));
    }
    if (problem) return { problem };
    keys.push(isMap(node) ? String(segment) : segment);
    node = childNode(node, segment);
  }
  return { keys };
}

/**
 * Applies `path=value` overrides (values parsed as YAML, so `3`, `true` and `[1, 2]` keep their types).
 * @throws DistilError INVALID_ARGUMENT naming the flag, for a malformed override or a path it cannot set.
 */
export function applyOverrides(source: SpecSource, overrides: readonly string[]): void {
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0) {
      throw errorInvalidArgument('--set', `expected path=value, got "${override}" (e.g. --set training.epochs=1)`);
    }
    const dotted = override.slice(0, eq).trim();
    let value: unknown;
    try {
      value = parse(override.slice(eq + 1));
    } catch (error) {
      const message = String((error as Error)?.message ?? error)
        .split('\n')[0]
        .replace(/ at line \d+, column \d+:?$/, '');
      throw errorInvalidArgument(`--set ${dotted}`, `value is not valid YAML: ${message}`);
    }
    const segments = parsePath(dotted);
    if (segments.some((s) => s === '')) throw errorInvalidArgument('--set', `malformed path "${dotted}"`);
    const axis = nestedAxisKey(segments);
    if (axis) {
      throw errorInvalidArgument(
        `--set ${override}`,
        `${dotted} would be read as keys nested under grid, but a grid axis is one dotted key (use --grid ${axis}=${override.slice(eq + 1)})`,
      );
    }
    const settable = settablePath(source, segments);
    if ('problem' in settable) throw errorInvalidArgument(`--set ${override}`, settable.problem);
    source.doc.setIn(settable.keys, source.doc.createNode(value));
    source.origins.set(formatPath(segments), `--set ${override}`);
  }
}
