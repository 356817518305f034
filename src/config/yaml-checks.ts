// Checks on a parsed YAML spec before it becomes data: syntax errors, duplicate keys, keys that are not
// text, nesting depth and aliases (unknown, circular, or expanding into a "billion laughs").
import { isAlias, isMap, isNode, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Alias, Node, YAMLError } from 'yaml';
import {
  aliasesTooLarge,
  circularAlias,
  duplicateKey,
  emptySpec,
  issueAt,
  keyNotText,
  multipleDocuments,
  nestedTooDeep,
  showValue,
  specNotAMapping,
  tooDeepToRead,
  unknownAlias,
  yamlSyntax,
} from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import { SPEC_LIMITS } from '../shared/index.js';
import { formatPath, keyText, offsetPosition, positionOf } from './locate.js';
import type { PathSegment, SpecSource } from './locate.js';

/** How many documents a YAML text holds (read only when there is more than one). */
function documentCount(text: string): number {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  return Array.isArray(docs) ? docs.length : 0;
}

/** Flow nesting (`[[[...` / `{{{...`) past which the text is refused unread: well inside the parser's stack. */
const FLOW_DEPTH_UNREAD = 512;

/**
 * Refuses, before parsing, flow collections nested so deep that the parser would exhaust its stack:
 * where it gives up depends on how deep its caller's stack already is, so the answer would vary.
 * Quotes and comments are skipped; the position is where the nesting passes the limit.
 */
export function flowDepthIssue(text: string, file: string): SpecIssue | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') {
      line++;
      lineStart = i + 1;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (char === '"' || char === "'") {
      // Skip a quoted scalar (a doubled '' or an escaped \" stays inside it).
      for (i++; i < text.length && text[i] !== char; i++) if (char === '"' && text[i] === '\\') i++;
    } else if (char === '[' || char === '{') {
      if (++depth > FLOW_DEPTH_UNREAD) {
        return issueAt({ file, line, col: i - lineStart + 1 }, '', tooDeepToRead());
      }
    } else if ((char === ']' || char === '}') && depth > 0) depth--;
  }
  return undefined;
}

/** The parser's errors as located issues, in words about specs rather than about the yaml package. */
export function syntaxIssues(source: SpecSource, text: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const error of source.doc.errors as YAMLError[]) {
    const location = offsetPosition(source, error.pos[0]);
    if (error.code === 'MULTIPLE_DOCS') {
      if (issues.some((issue) => issue.code === 'MULTIPLE_DOCUMENTS')) continue;
      issues.push(issueAt(location, '', multipleDocuments(documentCount(text))));
    } else if (error.code === 'RESOURCE_EXHAUSTION') {
      // The parser gives up wherever its stack ran out, which varies: name the line only.
      issues.push(issueAt({ ...location, col: 1 }, '', tooDeepToRead()));
    } else {
      // The parser quotes the source, which may hold control characters (the catalogue escapes them).
      issues.push(issueAt(location, '', yamlSyntax(error.message)));
    }
  }
  return issues;
}

interface WalkState {
  readonly source: SpecSource;
  readonly issues: SpecIssue[];
  /** Anchor name → the node it names, as of the current point of the walk (YAML lets a name be reused). */
  readonly anchors: Map<string, Node>;
  /** Each alias seen → the node it stands for. */
  readonly targets: Map<Alias, Node>;
  /** Expanded size of each aliased node, capped just above the limit. */
  readonly sizes: Map<Node, number>;
  /** Nodes on the path from the root to the current one. */
  readonly ancestors: Set<Node>;
  expanded: number;
  tooDeep: boolean;
}

const CAP = SPEC_LIMITS.aliasExpansion + 1;

/** How many values a node stands for with its aliases expanded (capped: only "more than the limit" matters). */
function expandedSize(node: Node | null, state: WalkState): number {
  if (!node) return 1;
  const known = state.sizes.get(node);
  if (known !== undefined) return known;
  let size = 1;
  if (isAlias(node)) {
    const target = state.targets.get(node);
    size = target ? expandedSize(target, state) : 1;
  } else if (isMap(node)) {
    for (const pair of node.items) size = Math.min(CAP, size + expandedSize(pair.value as Node | null, state));
  } else if (isSeq(node)) {
    for (const item of node.items) size = Math.min(CAP, size + expandedSize(item as Node | null, state));
  }
  if (node.anchor) state.sizes.set(node, size);
  return size;
}

function checkAlias(alias: Alias, path: PathSegment[], state: WalkState): void {
  const location = positionOf(state.source, alias);
  const target = state.anchors.get(alias.source);
  if (!target) {
    state.issues.push(issueAt(location, formatPath(path), unknownAlias(alias.source)));
    return;
  }
  if (state.ancestors.has(target)) {
    state.issues.push(issueAt(location, formatPath(path), circularAlias(alias.source)));
    return;
  }
  state.targets.set(alias, target);
  const before = state.expanded;
  state.expanded = Math.min(CAP, state.expanded + expandedSize(target, state));
  if (before < CAP && state.expanded >= CAP) {
    state.issues.push(issueAt(location, formatPath(path), aliasesTooLarge(alias.source)));
  }
}

/** Keys must be plain text and appear once per mapping. */
function checkKeys(
  node: Node & { items: Array<{ key: unknown }> },
  path: PathSegment[],
  state: WalkState,
): Array<string | undefined> {
  const seen = new Map<string, Node>();
  return node.items.map(({ key }) => {
    const name = keyText(key);
    if (name === undefined) {
      const what = isAlias(key)
        ? 'an alias'
        : isSeq(key)
          ? 'a list'
          : isMap(key)
            ? 'a mapping'
            : isScalar(key)
              ? showValue(key.value)
              : 'nothing';
      state.issues.push(
        issueAt(positionOf(state.source, isNode(key) ? key : node), formatPath(path), keyNotText(what)),
      );
      return undefined;
    }
    const first = seen.get(name);
    if (first && isScalar(key)) {
      const { line, col } = positionOf(state.source, first);
      state.issues.push(
        issueAt(positionOf(state.source, key), formatPath([...path, name]), duplicateKey(name, line, col)),
      );
    } else if (isScalar(key)) seen.set(name, key);
    return name;
  });
}

function walk(node: Node | null, path: PathSegment[], depth: number, state: WalkState): void {
  if (!node) return;
  if (depth > SPEC_LIMITS.depth) {
    // The path is shortened: 64 levels of "[0]" would not help anyone find the place (the position does).
    const shown = `${formatPath(path.slice(0, 3))}...`;
    if (!state.tooDeep) state.issues.push(issueAt(positionOf(state.source, node), shown, nestedTooDeep()));
    state.tooDeep = true;
    return;
  }
  if (node.anchor) state.anchors.set(node.anchor, node);
  if (isAlias(node)) return checkAlias(node, path, state);
  state.ancestors.add(node);
  if (isMap(node)) {
    const names = checkKeys(node, path, state);
    node.items.forEach((pair, i) => {
      const name = names[i];
      if (name !== undefined) walk(pair.value as Node | null, [...path, name], depth + 1, state);
    });
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item as Node | null, [...path, i], depth + 1, state));
  }
  state.ancestors.delete(node);
}

/** Structural problems of a parsed spec (duplicate keys, non-text keys, depth, aliases), each located. */
export function structureIssues(source: SpecSource): SpecIssue[] {
  const state: WalkState = {
    source,
    issues: [],
    anchors: new Map(),
    targets: new Map(),
    sizes: new Map(),
    ancestors: new Set(),
    expanded: 0,
    tooDeep: false,
  };
  walk((source.doc.contents ?? null) as Node | null, [], 0, state);
  return state.issues;
}

/** A spec is a mapping at the top. */
export function topLevelIssues(source: SpecSource): SpecIssue[] {
  const contents = source.doc.contents;
  if (isMap(contents)) return [];
  const location = positionOf(source, (contents ?? undefined) as Node | undefined);
  if (!contents || (isScalar(contents) && contents.value === null)) return [issueAt(location, '', emptySpec())];
  const got = isSeq(contents) ? 'a list' : isScalar(contents) ? 'a single value' : 'something else';
  return [issueAt(location, '', specNotAMapping(got))];
}
