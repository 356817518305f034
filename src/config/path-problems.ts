// Why a dotted path (from --set or a grid axis) cannot be written into a spec; the words are the catalogue's.
import { describeScalar, pathIntoList, pathIntoNothing, pathThroughValue } from '../errors/index.js';
import { formatPath } from './locate.js';
import type { PathSegment } from './locate.js';

/** The path goes through a value that holds no keys. */
export function throughScalar(segments: readonly PathSegment[], i: number, what: string): string {
  return pathThroughValue(formatPath(segments.slice(0, i)), segments[i], what);
}

/** The path names a key of a list, or an index past its end. */
export function intoList(segments: readonly PathSegment[], i: number, length: number): string | undefined {
  const segment = segments[i];
  if (typeof segment === 'number' && segment <= length) return undefined;
  return pathIntoList(formatPath(segments.slice(0, i)), segment, length);
}

/** The path creates a list at an index other than 0. */
export function intoNothing(segments: readonly PathSegment[], i: number): string | undefined {
  const segment = segments[i];
  if (typeof segment !== 'number' || segment === 0) return undefined;
  return pathIntoNothing(formatPath(segments.slice(0, i)), segment);
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
