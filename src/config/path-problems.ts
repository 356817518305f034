// Why a dotted path (from --set or a grid axis) cannot be written into a spec: the words both use.
import { printableKey } from '../shared/index.js';
import { formatPath } from './locate.js';
import type { PathSegment } from './locate.js';
import { showValue } from './ajv-issues.js';

/** A plain value as users read it: `a string ("mnist")`, `a number (4)`. */
export function describeScalar(value: unknown): string {
  const kind = typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : 'a value';
  return `${kind} (${showValue(value)})`;
}

/** The path goes through a value that holds no keys. */
export function throughScalar(segments: readonly PathSegment[], i: number, what: string): string {
  const at = formatPath(segments.slice(0, i));
  const segment = segments[i];
  const child = typeof segment === 'number' ? `item ${segment}` : `key "${printableKey(segment)}"`;
  return `${at} is ${what}, so it has no ${child} (set ${at} itself, or check the path)`;
}

/** The path names a key of a list, or an index past its end. */
export function intoList(segments: readonly PathSegment[], i: number, length: number): string | undefined {
  const at = formatPath(segments.slice(0, i));
  const segment = segments[i];
  if (typeof segment !== 'number') return `${at} is a list, so it has no key "${printableKey(segment)}" (use an index from 0 to ${length})`;
  if (segment > length) return `${at} has ${length} item(s), so index ${segment} would leave a gap (use an index from 0 to ${length})`;
  return undefined;
}

/** The path creates a list at an index other than 0. */
export function intoNothing(segments: readonly PathSegment[], i: number): string | undefined {
  const segment = segments[i];
  if (typeof segment !== 'number' || segment === 0) return undefined;
  const at = formatPath(segments.slice(0, i));
  return `${at} does not exist, so index ${segment} would leave a gap (use ${at}.0)`;
}

/** Why `segments` cannot be set in plain data, if it cannot (the grid's counterpart of --set's check). */
export function dataPathProblem(data: unknown, segments: readonly PathSegment[]): string | undefined {
  let node = data;
  for (let i = 0; i < segments.length; i++) {
    let problem: string | undefined;
    if (node === undefined || node === null) problem = intoNothing(segments, i);
    else if (Array.isArray(node)) problem = intoList(segments, i, node.length);
    else if (typeof node !== 'object') problem = throughScalar(segments, i, describeScalar(node));
    if (problem) return problem;
    node = node === undefined || node === null ? undefined : (node as Record<string, unknown>)[segments[i]];
  }
  return undefined;
}
