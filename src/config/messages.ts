// Turns ajv's errors into located, human-sized messages ("must be > 0, got 0").
import type { ErrorObject } from 'ajv';
import type { SourceLocation, SpecIssue } from '../errors.js';
import { didYouMean } from '../registry/did-you-mean.js';
import { formatPath } from './load.js';
import type { PathSegment } from './load.js';

/** Finds where a path points; `atKey` asks for the key rather than the value. */
export type Locator = (segments: readonly PathSegment[], atKey?: boolean) => SourceLocation;

/** Shows a value the way the user wrote it, shortened. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
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
  readonly hint?: string;
  readonly atKey?: boolean;
}

function expected(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { 'x-expected'?: string } | undefined;
  return parent?.['x-expected'];
}

/** One ajv error as a path, a message and an optional hint. */
function describe(error: ErrorObject, base: PathSegment[]): Described {
  const segments = [...base, ...pointerToPath(error.instancePath)];
  const got = `got ${showValue(error.data)}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      // Point at the parent's key (`models:`), where the missing key belongs.
      return { segments, message: `missing required key "${String(params.missingProperty)}"`, atKey: true };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const suggestion = didYouMean(key, allowed);
      const hint = suggestion
        ? `Did you mean "${suggestion}"?`
        : allowed.length > 0
          ? `allowed keys: ${allowed.join(', ')}`
          : 'this component takes no params';
      return { segments: [...segments, key], message: `unknown key "${key}"`, hint, atKey: true };
    }
    case 'type':
      return { segments, message: `must be ${String(params.type).replace(',', ' or ')}, ${got}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { segments, message: `must be ${COMPARISONS[error.keyword]} ${String(params.limit)}, ${got}` };
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
    case 'minLength':
      return { segments, message: `must not be empty` };
    case 'propertyNames':
      return { segments, message: `has an invalid key` };
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
function dropBranchErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const outermost = new Map<string, ErrorObject>();
  for (const e of errors) if (e.keyword === 'anyOf' || e.keyword === 'oneOf') outermost.set(e.instancePath, e);
  const covered = (e: ErrorObject): string | undefined =>
    [...outermost.keys()].find((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  return errors.filter((e) => {
    const union = covered(e);
    return union === undefined || outermost.get(union) === e;
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
    issues.push({ location: locateAt(segments, atKey), path, message, hint });
  }
  return issues;
}
