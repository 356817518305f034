// Turns ajv's errors into located issues, one factory of the catalogue per keyword ("must be > 0, got 0").
import type { ErrorObject } from 'ajv';
import {
  emptyText,
  invalidKey,
  invalidValue,
  issueAt,
  missingCompanionKey,
  missingKey,
  notAllowed,
  outOfRange,
  patternMismatch,
  repeatedItem,
  tooFewItems,
  tooFewKeys,
  tooLong,
  tooManyItems,
  tooManyKeys,
  unknownKey,
  wrongForm,
  wrongType,
} from '../errors/index.js';
import type { SourceLocation, SpecIssue, SpecProblem } from '../errors/index.js';
import { formatPath } from './locate.js';
import type { PathSegment } from './locate.js';

/** Finds where a path points; `atKey` asks for the key rather than the value. */
export type Locator = (segments: readonly PathSegment[], atKey?: boolean) => SourceLocation;

function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

interface Described {
  readonly segments: PathSegment[];
  readonly problem: SpecProblem;
  readonly atKey?: boolean;
}

/** The keys a schema allows, listed once per schema rather than once per unknown key. */
const allowedKeys = new WeakMap<object, string[]>();

function allowedOf(schema: { properties?: object }): string[] {
  let allowed = allowedKeys.get(schema);
  if (!allowed) {
    allowed = Object.keys(schema.properties ?? {});
    allowedKeys.set(schema, allowed);
  }
  return allowed;
}

function expected(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { 'x-expected'?: string } | undefined;
  return parent?.['x-expected'];
}

/** The schema's own hint for a value above one of distil-run's limits (`x-limit-hint`). */
function limitHint(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { 'x-limit-hint'?: string } | undefined;
  return parent?.['x-limit-hint'];
}

/** ajv pairs a repeat with a later copy; the first repeat is shown instead, with the path of the item it repeats. */
function repeated(error: ErrorObject, segments: PathSegment[]): Described {
  const params = error.params as { i: number; j: number };
  const items = Array.isArray(error.data) ? (error.data as unknown[]).map((item) => JSON.stringify(item)) : [];
  const at = items.findIndex((item, i) => items.indexOf(item) < i);
  const [repeat, first] = at < 0 ? [Number(params.j), Number(params.i)] : [at, items.indexOf(items[at])];
  const noun = (error.parentSchema as { 'x-item'?: string } | undefined)?.['x-item'];
  const item = Array.isArray(error.data) ? error.data[repeat] : undefined;
  return { segments: [...segments, repeat], problem: repeatedItem(noun, item, formatPath([...segments, first])) };
}

/** A key that is set without the key it needs: pointed at, saying whether the two go together both ways. */
function companion(error: ErrorObject, segments: PathSegment[]): Described {
  const params = error.params as { property: string; missingProperty: string };
  const [key, missing] = [String(params.property), String(params.missingProperty)];
  const theirs = (error.parentSchema as { dependencies?: Record<string, unknown> } | undefined)?.dependencies?.[
    missing
  ];
  const mutual = Array.isArray(theirs) && theirs.includes(key);
  return { segments: [...segments, key], problem: missingCompanionKey(key, missing, mutual), atKey: true };
}

/** One ajv error as a path and the problem there. */
function describe(error: ErrorObject, base: PathSegment[]): Described {
  const segments = [...base, ...pointerToPath(error.instancePath)];
  if (error.propertyName !== undefined) {
    const key = error.propertyName;
    return { segments: [...segments, key], problem: invalidKey(key, expected(error)), atKey: true };
  }
  const { data } = error;
  const params = error.params as Record<string, unknown>;
  const limit = Number(params.limit);
  switch (error.keyword) {
    case 'required':
      // Point at the parent's key (`models:`), where the missing key belongs.
      return { segments, problem: missingKey(String(params.missingProperty)), atKey: true };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return {
        segments: [...segments, key],
        problem: unknownKey(key, allowedOf(error.parentSchema as { properties?: object })),
        atKey: true,
      };
    }
    case 'type':
      return { segments, problem: wrongType(String(params.type), data) };
    case 'minimum':
    case 'exclusiveMinimum':
      return { segments, problem: outOfRange(error.keyword, params.limit, data) };
    case 'maximum':
    case 'exclusiveMaximum':
      return { segments, problem: outOfRange(error.keyword, params.limit, data, limitHint(error)) };
    case 'maxItems':
      return { segments, problem: tooManyItems(limit, data, limitHint(error)) };
    case 'maxProperties':
      return { segments, problem: tooManyKeys(limit, data, limitHint(error)) };
    case 'maxLength':
      return { segments, problem: tooLong(limit, data, limitHint(error)) };
    case 'enum':
      return { segments, problem: notAllowed(params.allowedValues as unknown[], data) };
    case 'anyOf':
    case 'oneOf':
      return { segments, problem: wrongForm(expected(error), data) };
    case 'pattern':
      return { segments, problem: patternMismatch(expected(error), String(params.pattern), data) };
    case 'minItems':
      return { segments, problem: tooFewItems(limit) };
    case 'uniqueItems':
      return repeated(error, segments);
    case 'minProperties':
      return { segments, problem: tooFewKeys(limit) };
    case 'minLength':
      return { segments, problem: emptyText() };
    case 'dependencies':
      return companion(error, segments);
    case 'propertyNames':
      // The error from inside propertyNames (which names the key) says it all; see the top of describe.
      return { segments, problem: invalidKey(undefined) };
    default:
      return { segments, problem: invalidValue(error.message, data) };
  }
}

/**
 * Drops the errors of the branches inside a failed anyOf/oneOf: the union's own message says what
 * was expected, and the branch errors ("must be string", "must be object") only add noise. Branches
 * reached through $ref do not share the union's schemaPath, so the rule goes by instance path: at a
 * path where a union failed, keep only the outermost union error (ajv reports it last).
 */
function dropBranchErrors(all: readonly ErrorObject[]): ErrorObject[] {
  // A bad key gets two errors: one from inside propertyNames that names it, and "must have valid names".
  const named = all.some((e) => e.propertyName !== undefined) ? all.filter((e) => e.keyword !== 'propertyNames') : all;
  // An if/then/else reports the failed branch's own errors and then "must match then schema": noise.
  const errors = named.filter((e) => e.keyword !== 'if');
  const outermost = new Map<string, ErrorObject>();
  for (const e of errors) if (e.keyword === 'anyOf' || e.keyword === 'oneOf') outermost.set(e.instancePath, e);
  if (outermost.size === 0) return [...errors];
  // The union covering an error sits at its path or at one of its ancestors: look those up (linear in
  // the errors, where scanning every union for every error was quadratic).
  const covered = (e: ErrorObject): ErrorObject | undefined => {
    for (let p = e.instancePath; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const union = outermost.get(p);
      if (union || p === '') return union;
    }
  };
  return errors.filter((e) => {
    const union = covered(e);
    return union === undefined || union === e;
  });
}

/** Maps ajv errors for the value at `base` to located issues, one per distinct problem. */
export function issuesFromAjv(errors: readonly ErrorObject[], base: PathSegment[], locateAt: Locator): SpecIssue[] {
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const error of dropBranchErrors(errors)) {
    const { segments, problem, atKey } = describe(error, base);
    const path = formatPath(segments);
    if (seen.has(`${path}\0${problem.message}`)) continue;
    seen.add(`${path}\0${problem.message}`);
    issues.push(issueAt(locateAt(segments, atKey), path, problem));
  }
  return issues;
}
