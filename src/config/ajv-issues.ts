// Turns ajv's errors into located, human-sized messages ("must be > 0, got 0").
import type { ErrorObject } from 'ajv';
import type { SourceLocation, SpecIssue } from '../errors/index.js';
import { didYouMean } from '../shared/index.js';
import { printable, printableKey } from '../shared/index.js';
import { formatPath } from './locate.js';
import type { PathSegment } from './locate.js';

/** Finds where a path points; `atKey` asks for the key rather than the value. */
export type Locator = (segments: readonly PathSegment[], atKey?: boolean) => SourceLocation;

/** Shows a value the way the user wrote it, shortened. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Set) return 'a set';
  if (value instanceof Map) return 'a mapping';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  // Long strings are cut before JSON.stringify, which would otherwise copy all of them.
  const text = typeof value === 'string' ? printable(JSON.stringify(value.length > 80 ? value.slice(0, 80) : value)) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const COMPARISONS: Record<string, string> = {
  minimum: '>=',
  maximum: '<=',
  exclusiveMinimum: '>',
  exclusiveMaximum: '<',
};

interface Described {
  readonly segments: PathSegment[];
  readonly message: string;
  /** A function for hints worth computing only when shown (a spec may have 250,000 unknown keys). */
  readonly hint?: string | (() => string | undefined);
  readonly atKey?: boolean;
}

/** The keys a schema allows, listed once per schema rather than once per unknown key. */
const allowedKeys = new WeakMap<object, { keys: string[]; text: string }>();

function allowedOf(schema: { properties?: object }): { keys: string[]; text: string } {
  let allowed = allowedKeys.get(schema);
  if (!allowed) {
    const keys = Object.keys(schema.properties ?? {});
    allowed = { keys, text: keys.join(', ') };
    allowedKeys.set(schema, allowed);
  }
  return allowed;
}

/** "Did you mean" the closest allowed key, else the list of allowed keys. */
function unknownKeyHint(key: string, allowed: { keys: string[]; text: string }): string {
  const suggestion = didYouMean(key, allowed.keys);
  if (suggestion) return `Did you mean "${suggestion}"?`;
  return allowed.keys.length > 0 ? `allowed keys: ${allowed.text}` : 'this component takes no params';
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

/** Messages for the keywords that bound sizes: how many items, keys or characters at most. */
function sizeMessage(error: ErrorObject): string {
  const limit = String((error.params as { limit: number }).limit);
  const data = error.data;
  if (error.keyword === 'maxItems') return `must list at most ${limit} item(s), got ${Array.isArray(data) ? data.length : 'more'}`;
  if (error.keyword === 'maxProperties') return `must have at most ${limit} key(s), got ${data && typeof data === 'object' ? Object.keys(data).length : 'more'}`;
  return `must be at most ${limit} character(s) long, got ${typeof data === 'string' ? data.length : 'more'}`;
}

/** "must be integer, got ..."; NaN and infinities are numbers to JavaScript, not to a spec. */
function typeMessage(error: ErrorObject): string {
  const type = String((error.params as { type: string }).type).replace(',', ' or ');
  // ajv's strictNumbers refuses NaN and infinities as numbers: say so rather than "must be number, got .nan".
  const numeric = /number|integer/.test(type);
  if (numeric && typeof error.data === 'number' && !Number.isFinite(error.data)) return `must be a finite ${type}, got ${showValue(error.data)}`;
  return `must be ${type}, got ${showValue(error.data)}`;
}

/** One ajv error as a path, a message and an optional hint. */
function describe(error: ErrorObject, base: PathSegment[]): Described {
  const segments = [...base, ...pointerToPath(error.instancePath)];
  if (error.propertyName !== undefined) {
    const key = error.propertyName;
    const wanted = expected(error);
    return { segments: [...segments, key], message: `invalid key "${printableKey(key)}"`, hint: wanted && `expected ${wanted}`, atKey: true };
  }
  const got = `got ${showValue(error.data)}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      // Point at the parent's key (`models:`), where the missing key belongs.
      return { segments, message: `missing required key "${String(params.missingProperty)}"`, atKey: true };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedOf(error.parentSchema as { properties?: object });
      return { segments: [...segments, key], message: `unknown key "${printableKey(key)}"`, hint: () => unknownKeyHint(key, allowed), atKey: true };
    }
    case 'type':
      return { segments, message: typeMessage(error) };
    case 'minimum':
    case 'exclusiveMinimum':
      return { segments, message: `must be ${COMPARISONS[error.keyword]} ${String(params.limit)}, ${got}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { segments, message: `must be ${COMPARISONS[error.keyword]} ${String(params.limit)}, ${got}`, hint: limitHint(error) };
    case 'maxItems':
    case 'maxProperties':
    case 'maxLength':
      return { segments, message: sizeMessage(error), hint: limitHint(error) };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, (params.allowedValues as unknown[]).map(String)) : undefined;
      return { segments, message: `must be one of ${allowed}, ${got}`, hint: suggestion ? `Did you mean "${suggestion}"?` : undefined };
    }
    case 'anyOf':
    case 'oneOf':
      return { segments, message: `must be ${expected(error) ?? 'one of the allowed forms'}, ${got}` };
    case 'pattern':
      return { segments, message: `must be ${expected(error) ?? `text matching ${String(params.pattern)}`}, ${got}` };
    case 'minItems':
      return { segments, message: `must list at least ${String(params.limit)} item(s)` };
    case 'uniqueItems': {
      // ajv pairs the repeat with a later copy; point at the first repeat instead, naming the item it repeats.
      const items = Array.isArray(error.data) ? (error.data as unknown[]).map((item) => JSON.stringify(item)) : [];
      const at = items.findIndex((item, i) => items.indexOf(item) < i);
      const [repeat, first] = at < 0 ? [Number(params.j), Number(params.i)] : [at, items.indexOf(items[at])];
      const noun = (error.parentSchema as { 'x-item'?: string } | undefined)?.['x-item'];
      const item = showValue(Array.isArray(error.data) ? error.data[repeat] : undefined);
      return { segments: [...segments, repeat], message: `${noun ? `${noun} ` : ''}${item} is listed twice (also ${formatPath([...segments, first])})` };
    }
    case 'minProperties':
      return { segments, message: `must have at least ${String(params.limit)} key(s)` };
    case 'minLength':
      return { segments, message: `must not be empty` };
    case 'dependencies': {
      // Point at the key that is set, and say whether the two go together both ways.
      const [key, missing] = [String(params.property), String(params.missingProperty)];
      const theirs = (error.parentSchema as { dependencies?: Record<string, unknown> } | undefined)?.dependencies?.[missing];
      const mutual = Array.isArray(theirs) && theirs.includes(key);
      return { segments: [...segments, key], message: `needs "${printableKey(missing)}" as well`, hint: mutual ? `give both ${printableKey(key)} and ${printableKey(missing)}, or neither` : `add ${printableKey(missing)}`, atKey: true };
    }
    case 'propertyNames':
      // The error from inside propertyNames (which names the key) says it all; see the top of describe.
      return { segments, message: 'has an invalid key' };
    default:
      return { segments, message: `${error.message ?? 'is invalid'}, ${got}` };
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

/** An issue with its hint, computed on first read when it is a function. */
function withHint(issue: SpecIssue, hint: Described['hint']): SpecIssue {
  if (typeof hint !== 'function') return hint === undefined ? issue : { ...issue, hint };
  let computed: { value: string | undefined } | undefined;
  return Object.defineProperty(issue, 'hint', {
    enumerable: true,
    get: () => (computed ??= { value: hint() }).value,
  });
}

/** Maps ajv errors for the value at `base` to located issues, one per distinct problem. */
export function issuesFromAjv(errors: readonly ErrorObject[], base: PathSegment[], locateAt: Locator): SpecIssue[] {
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const error of dropBranchErrors(errors)) {
    const { segments, message, hint, atKey } = describe(error, base);
    const path = formatPath(segments);
    if (seen.has(`${path}\0${message}`)) continue;
    seen.add(`${path}\0${message}`);
    issues.push(withHint({ location: locateAt(segments, atKey), path, message }, hint));
  }
  return issues;
}
