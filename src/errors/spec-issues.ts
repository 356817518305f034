// The catalogue of spec issues: every problem a spec can be refused with, one factory per kind, each with
// its stable code and its words. It is long because it is a catalogue (like Rollup's logs.ts): one place
// to read every message a spec can get, to keep their wording consistent, and to give each its code.
// A factory returns the problem; `issueAt` places it in the spec (src/config finds where).
import type { IssueCode, SourceLocation, SpecIssue } from './distil-error.js';
import { didYouMean, printable, printableKey, SPEC_LIMITS } from '../shared/index.js';

/** A problem before it is placed: what kind (its code), what is wrong, and what to do. */
export interface SpecProblem {
  readonly code: IssueCode;
  readonly message: string;
  /** May be computed on first read (see {@link unknownKey}); {@link issueAt} keeps it so, where spreading would compute it. */
  readonly hint?: string;
}

/** A problem at its place in the spec: its location (file:line:col or a flag) and its dotted path. */
export function issueAt(location: SourceLocation, path: string, problem: SpecProblem): SpecIssue {
  const issue: SpecIssue = { location, path, code: problem.code, message: problem.message };
  const hint = Object.getOwnPropertyDescriptor(problem, 'hint');
  // A lazy hint stays lazy: it is computed only for the issues shown.
  if (hint?.get) return Object.defineProperty(issue, 'hint', { enumerable: true, get: hint.get });
  return hint?.value === undefined ? issue : { ...issue, hint: hint.value as string };
}

const problem = (code: IssueCode, message: string, hint?: string): SpecProblem =>
  hint === undefined ? { code, message } : { code, message, hint };

/** A problem whose hint is worth computing only when it is shown (a spec may have 250,000 unknown keys). */
function lazyHint(code: IssueCode, message: string, hint: () => string | undefined): SpecProblem {
  let computed: { value: string | undefined } | undefined;
  return Object.defineProperty({ code, message }, 'hint', {
    enumerable: true,
    get: () => (computed ??= { value: hint() }).value,
  });
}

const didYouMeanHint = (input: string, candidates: readonly string[]): string | undefined => {
  const suggestion = didYouMean(input, candidates);
  return suggestion ? `Did you mean "${suggestion}"?` : undefined;
};

// ---------------------------------------------------------------------------------------------------
// How values read in messages.

/** Shows a value the way the user wrote it, shortened: `"mnist"`, `4`, `a list`, `.nan`. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Set) return 'a set';
  if (value instanceof Map) return 'a mapping';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  }
  // Long strings are cut before JSON.stringify, which would otherwise copy all of them.
  const text =
    typeof value === 'string'
      ? printable(JSON.stringify(value.length > 80 ? value.slice(0, 80) : value))
      : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A plain value as users read it: `a string ("mnist")`, `a number (4)`. */
export function describeScalar(value: unknown): string {
  const kind =
    typeof value === 'string'
      ? 'a string'
      : typeof value === 'number'
        ? 'a number'
        : typeof value === 'boolean'
          ? 'a boolean'
          : 'a value';
  return `${kind} (${showValue(value)})`;
}

// ---------------------------------------------------------------------------------------------------
// Why a dotted path (from --set or a grid axis) cannot be written: phrases that --set's errors and
// PATH_NOT_SETTABLE share. `at` is the path up to the segment that fails.

/** The path goes through a value that holds no keys (`what`: `a number (4)`, `an alias (*x)`). */
export function pathThroughValue(at: string, segment: string | number, what: string): string {
  const child = typeof segment === 'number' ? `item ${segment}` : `key "${printableKey(segment)}"`;
  return `${at} is ${what}, so it has no ${child} (set ${at} itself, or check the path)`;
}

/** The path names a key of a list, or an index past its end (`length`: the list's). */
export function pathIntoList(at: string, segment: string | number, length: number): string {
  if (typeof segment !== 'number') {
    return `${at} is a list, so it has no key "${printableKey(segment)}" (use an index from 0 to ${length})`;
  }
  return `${at} has ${length} item(s), so index ${segment} would leave a gap (use an index from 0 to ${length})`;
}

/** The path creates a list at an index other than 0. */
export function pathIntoNothing(at: string, segment: number): string {
  return `${at} does not exist, so index ${segment} would leave a gap (use ${at}.0)`;
}

// ---------------------------------------------------------------------------------------------------
// Keys and values, as the base schema and the components' params schemas check them.

/** UNKNOWN_KEY: a key the schema does not allow (a typo must not pass silently); the hint is computed when shown. */
export function unknownKey(key: string, allowed: readonly string[]): SpecProblem {
  return lazyHint('UNKNOWN_KEY', `unknown key "${printableKey(key)}"`, () => {
    const suggestion = didYouMeanHint(key, allowed);
    if (suggestion) return suggestion;
    return allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : 'this component takes no params';
  });
}

/**
 * INVALID_KEY: a key whose name breaks the schema's rule for names (`expected`: what a name looks like);
 * without `key`, the mapping has one.
 */
export function invalidKey(key: string | undefined, expected?: string): SpecProblem {
  if (key === undefined) return problem('INVALID_KEY', 'has an invalid key');
  return problem('INVALID_KEY', `invalid key "${printableKey(key)}"`, expected ? `expected ${expected}` : undefined);
}

/** MISSING_KEY: a required key is not there (located at the key of the mapping it belongs in). */
export function missingKey(key: string, hint?: string): SpecProblem {
  return problem('MISSING_KEY', `missing required key "${key}"`, hint);
}

/** MISSING_COMPANION_KEY: a key that goes only with another, given without it (`mutual`: each needs the other). */
export function missingCompanionKey(key: string, missing: string, mutual: boolean): SpecProblem {
  const hint = mutual
    ? `give both ${printableKey(key)} and ${printableKey(missing)}, or neither`
    : `add ${printableKey(missing)}`;
  return problem('MISSING_COMPANION_KEY', `needs "${printableKey(missing)}" as well`, hint);
}

/** WRONG_TYPE: a value of another type (`type`: ajv's, `integer,string` for several); NaN and infinities are no numbers to a spec. */
export function wrongType(type: string, value: unknown): SpecProblem {
  const wanted = type.replace(',', ' or ');
  // ajv's strictNumbers refuses NaN and infinities as numbers: say so rather than "must be number, got .nan".
  if (/number|integer/.test(wanted) && typeof value === 'number' && !Number.isFinite(value)) {
    return problem('WRONG_TYPE', `must be a finite ${wanted}, got ${showValue(value)}`);
  }
  return problem('WRONG_TYPE', `must be ${wanted}, got ${showValue(value)}`);
}

const COMPARISONS: Readonly<Record<string, string>> = {
  minimum: '>=',
  maximum: '<=',
  exclusiveMinimum: '>',
  exclusiveMaximum: '<',
};

/**
 * OUT_OF_RANGE: a number beyond a bound (`keyword`: minimum, maximum, exclusiveMinimum or exclusiveMaximum);
 * `hint` for distil-run's own limits.
 */
export function outOfRange(keyword: string, limit: unknown, value: unknown, hint?: string): SpecProblem {
  return problem('OUT_OF_RANGE', `must be ${COMPARISONS[keyword]} ${String(limit)}, got ${showValue(value)}`, hint);
}

/** NOT_ALLOWED: a value that is none of the listed ones, with the closest as a suggestion. */
export function notAllowed(allowedValues: readonly unknown[], value: unknown): SpecProblem {
  const allowed = allowedValues.map((v) => JSON.stringify(v)).join(', ');
  const hint = typeof value === 'string' ? didYouMeanHint(value, allowedValues.map(String)) : undefined;
  return problem('NOT_ALLOWED', `must be one of ${allowed}, got ${showValue(value)}`, hint);
}

/** WRONG_FORM: a value that fits none of the forms a setting takes (`expected`: the schema's words for them). */
export function wrongForm(expected: string | undefined, value: unknown): SpecProblem {
  return problem('WRONG_FORM', `must be ${expected ?? 'one of the allowed forms'}, got ${showValue(value)}`);
}

/** PATTERN_MISMATCH: text that does not look as it must (`expected`: the schema's words, else the pattern). */
export function patternMismatch(expected: string | undefined, pattern: string, value: unknown): SpecProblem {
  return problem('PATTERN_MISMATCH', `must be ${expected ?? `text matching ${pattern}`}, got ${showValue(value)}`);
}

/** TOO_MANY_ITEMS: a list longer than allowed. */
export function tooManyItems(limit: number, value: unknown, hint?: string): SpecProblem {
  return problem(
    'TOO_MANY_ITEMS',
    `must list at most ${String(limit)} item(s), got ${Array.isArray(value) ? value.length : 'more'}`,
    hint,
  );
}

/** TOO_FEW_ITEMS: a list shorter than allowed (often empty). */
export function tooFewItems(limit: number): SpecProblem {
  return problem('TOO_FEW_ITEMS', `must list at least ${String(limit)} item(s)`);
}

/** TOO_MANY_KEYS: a mapping with more keys than allowed. */
export function tooManyKeys(limit: number, value: unknown, hint?: string): SpecProblem {
  return problem(
    'TOO_MANY_KEYS',
    `must have at most ${String(limit)} key(s), got ${value && typeof value === 'object' ? Object.keys(value).length : 'more'}`,
    hint,
  );
}

/** TOO_FEW_KEYS: a mapping with fewer keys than allowed (often empty). */
export function tooFewKeys(limit: number): SpecProblem {
  return problem('TOO_FEW_KEYS', `must have at least ${String(limit)} key(s)`);
}

/** TOO_LONG: text longer than allowed. */
export function tooLong(limit: number, value: unknown, hint?: string): SpecProblem {
  return problem(
    'TOO_LONG',
    `must be at most ${String(limit)} character(s) long, got ${typeof value === 'string' ? value.length : 'more'}`,
    hint,
  );
}

/** EMPTY_TEXT: empty text where a name or a path is needed. */
export function emptyText(): SpecProblem {
  return problem('EMPTY_TEXT', 'must not be empty');
}

/** REPEATED_ITEM: an item listed twice where each must be once (`noun`: what the list holds; `first`: the path of the first copy). */
export function repeatedItem(noun: string | undefined, item: unknown, first: string): SpecProblem {
  return problem('REPEATED_ITEM', `${noun ? `${noun} ` : ''}${showValue(item)} is listed twice (also ${first})`);
}

/** INVALID_VALUE: any other rule of a schema the value breaks, in ajv's words. */
export function invalidValue(ajvMessage: string | undefined, value: unknown): SpecProblem {
  return problem('INVALID_VALUE', `${ajvMessage ?? 'is invalid'}, got ${showValue(value)}`);
}

// ---------------------------------------------------------------------------------------------------
// The file as text and as YAML.

/** INVALID_UTF8: bytes that are not UTF-8 (`byte`: the first, as two hex digits). */
export function invalidUtf8(byte: string, utf16: boolean): SpecProblem {
  return problem(
    'INVALID_UTF8',
    `invalid UTF-8 (byte 0x${byte})`,
    utf16 ? 'this looks like UTF-16; save the file as UTF-8' : 'save the file as UTF-8',
  );
}

/** YAML_SYNTAX: text the YAML parser cannot read, in its words (first line, without its own position). */
export function yamlSyntax(parserMessage: string): SpecProblem {
  return problem('YAML_SYNTAX', printable(parserMessage.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')));
}

/** MULTIPLE_DOCUMENTS: a file of several YAML documents (`---`); a spec is one. */
export function multipleDocuments(count: number): SpecProblem {
  return problem(
    'MULTIPLE_DOCUMENTS',
    `contains ${count} YAML documents; a spec is one document`,
    'remove this "---" and what follows, or split the file into several specs',
  );
}

/** TOO_DEEP_TO_READ: nesting so deep that the text is refused before (or while) it is parsed. */
export function tooDeepToRead(): SpecProblem {
  return problem('TOO_DEEP_TO_READ', `nests too deeply to be read (a spec nests at most ${SPEC_LIMITS.depth} levels)`);
}

/** NESTED_TOO_DEEP: mappings and lists nested deeper than a spec may be. */
export function nestedTooDeep(): SpecProblem {
  return problem('NESTED_TOO_DEEP', `nests deeper than ${SPEC_LIMITS.depth} levels`);
}

/** DUPLICATE_KEY: a key given twice in one mapping (the first at `line`, `col`). */
export function duplicateKey(key: string, line: number | undefined, col: number | undefined): SpecProblem {
  return problem(
    'DUPLICATE_KEY',
    `duplicate key "${printableKey(key)}"`,
    `first set at line ${line}, column ${col}; a key may appear once`,
  );
}

/** KEY_NOT_TEXT: a key that is a list, a mapping, an alias or binary (`what`, e.g. `a list`). */
export function keyNotText(what: string): SpecProblem {
  return problem('KEY_NOT_TEXT', `a key must be text, got ${what}`);
}

/** UNKNOWN_ALIAS: `*name` without an anchor `&name` before it. */
export function unknownAlias(name: string): SpecProblem {
  return problem(
    'UNKNOWN_ALIAS',
    `unknown alias *${printableKey(name)} (define the anchor &${printableKey(name)} before the alias)`,
  );
}

/** CIRCULAR_ALIAS: an alias inside the value it stands for. */
export function circularAlias(name: string): SpecProblem {
  return problem('CIRCULAR_ALIAS', `alias *${printableKey(name)} stands for the value that contains it`);
}

/** ALIASES_TOO_LARGE: aliases that expand into more values than a spec may hold (a "billion laughs"). */
export function aliasesTooLarge(name: string): SpecProblem {
  const message = `alias *${printableKey(name)} makes the spec too large: its aliases expand to more than ${SPEC_LIMITS.aliasExpansion} values`;
  return problem('ALIASES_TOO_LARGE', message, 'write the values out, or use fewer aliases');
}

/** EMPTY_SPEC: a file with nothing in it. */
export function emptySpec(): SpecProblem {
  return problem('EMPTY_SPEC', 'is empty; a spec is a mapping of keys such as name, dataset, models');
}

/** SPEC_NOT_A_MAPPING: a file whose top is a list or a single value (`got`: which). */
export function specNotAMapping(got: string): SpecProblem {
  return problem('SPEC_NOT_A_MAPPING', `must be a mapping of keys such as name, dataset, models, got ${got}`);
}

/** SPEC_UNREADABLE: a document that cannot be turned into data (`reason`: the parser's first line). */
export function specUnreadable(reason: string): SpecProblem {
  return problem('SPEC_UNREADABLE', `cannot be read: ${reason}`);
}

// ---------------------------------------------------------------------------------------------------
// Components and the settings around them.

/** UNKNOWN_COMPONENT: a name the registry does not know, with the closest name or the known ones. */
export function unknownComponent(
  kind: string,
  name: string,
  lookup: { readonly suggestion?: string; readonly known: readonly string[] },
): SpecProblem {
  const hint = lookup.suggestion
    ? `Did you mean "${lookup.suggestion}"?`
    : `known: ${lookup.known.join(', ') || 'none'}; run "distil-run list" or add a plugin`;
  return problem('UNKNOWN_COMPONENT', `unknown ${kind} "${printableKey(name)}"`, hint);
}

/** WRONG_TASK: a component for other tasks than the dataset's (`tasks`: the component's). */
export function wrongTask(kind: string, name: string, tasks: readonly string[], task: string): SpecProblem {
  return problem('WRONG_TASK', `${kind} "${name}" is for ${tasks.join(' or ')} datasets, and this dataset is ${task}`);
}

/** COMPONENT_FAILED: a component's own code threw while the spec was resolved (`doing`: what it was asked). */
export function componentFailed(kind: string, name: string, doing: string, error: unknown): SpecProblem {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return problem(
    'COMPONENT_FAILED',
    `${kind} "${name}": ${doing} failed: ${message}`,
    "check the params, or report it to the plugin's author",
  );
}

/** INVALID_TASK: a dataset (a plugin's) that names a task distil-run does not have. */
export function invalidTask(dataset: string, asked: unknown): SpecProblem {
  return problem(
    'INVALID_TASK',
    `dataset "${dataset}" says its task is "${String(asked)}"`,
    "a dataset's task is classification or regression; report it to the plugin's author",
  );
}

/** NOT_A_DISTILLATION: a loss as `distillation:` that does not read the teacher's outputs (`fallback`: the task's default). */
export function notADistillation(loss: string, task: string, fallback: string): SpecProblem {
  return problem(
    'NOT_A_DISTILLATION',
    `loss "${loss}" does not use the teacher's outputs`,
    `use ${fallback} for a ${task} dataset`,
  );
}

/**
 * DISTILLATION_AS_LOSS: a loss that reads the teacher's outputs as a role's label loss, where there is no
 * teacher (`fallback`: the task's label loss).
 */
export function distillationAsLoss(loss: string, task: string, fallback: string): SpecProblem {
  const message = `loss "${loss}" needs the teacher's outputs, so it is a distillation: setting, not a role's training.loss`;
  return problem('DISTILLATION_AS_LOSS', message, `use ${fallback} for a ${task} dataset`);
}

/** SHARED_METRIC_COLUMN: two metrics writing one column (one value would be lost), or one metric listed twice. */
export function sharedMetricColumn(metric: string, column: string, first: string): SpecProblem {
  const hint =
    first === metric ? 'list each metric once' : 'give the plugin metric a column of its own (its column: key)';
  return problem(
    'SHARED_METRIC_COLUMN',
    `metric "${printableKey(metric)}" writes the column test_${column}, which "${printableKey(first)}" already writes`,
    hint,
  );
}

/** INVALID_METRIC_COLUMN: a metric whose `column` function gave something that cannot name a results column. */
export function invalidMetricColumn(metric: string, column: unknown): SpecProblem {
  return problem(
    'INVALID_METRIC_COLUMN',
    `metric "${printableKey(metric)}" names its column ${showValue(column)}, which is not lower-case letters, digits and "_"`,
    "report it to the plugin's author",
  );
}

/** METRIC_DOES_NOT_FIT: a metric that cannot be computed on the dataset (`why`: the metric's own words, e.g. a class it lacks). */
export function metricDoesNotFit(metric: string, why: string): SpecProblem {
  return problem('METRIC_DOES_NOT_FIT', `metric "${printableKey(metric)}": ${why}`);
}

/** UNRECORDED_METRIC: `early_stopping` watching a metric the role does not record (`recorded`: its `val_` columns). */
export function unrecordedMetric(metric: string, recorded: readonly string[]): SpecProblem {
  const hint =
    didYouMeanHint(metric, recorded) ?? `the role records ${recorded.join(', ')}; add the metric to training.metrics`;
  return problem('UNRECORDED_METRIC', `"${printableKey(metric)}" is not a metric this role records`, hint);
}

/** LOAD_WITH_LAYERS: a role given both `load:` and `layers:`. */
export function loadWithLayers(): SpecProblem {
  return problem(
    'LOAD_WITH_LAYERS',
    'given with layers',
    'a role is built from layers or loaded from a saved model: keep one of them',
  );
}

/** MODEL_FILE_NOT_FOUND: a role's `load:` names no file (`file`: the absolute path looked for). */
export function modelFileNotFound(file: string): SpecProblem {
  const hint =
    "give a model.json saved in the TensorFlow.js layers format, or its directory (a relative path starts at the spec file's directory)";
  return problem('MODEL_FILE_NOT_FOUND', `${file}: no such file`, hint);
}

/** INVALID_VALIDATION_SHARE: `dataset.validation` that is no share of the training split in (0, 0.5]. */
export function invalidValidationShare(value: unknown): SpecProblem {
  const message = `must be a number above 0 and at most 0.5 (the share of the training split held out), got ${JSON.stringify(value)}`;
  return problem('INVALID_VALIDATION_SHARE', message, 'e.g. validation: 0.1');
}

/** TEACHER_SEED_ONLY: `seed` on the student or the person, whose seeds are the experiment's. */
export function teacherSeedOnly(role: string): SpecProblem {
  return problem(
    'TEACHER_SEED_ONLY',
    `only the teacher takes a seed of its own; the ${role} trains with each seed of the experiment`,
    `remove models.${role}.seed (seeds: [1, 2, 3] repeats the ${role} over seeds)`,
  );
}

/** TRANSFER_CLASSES: a transfer set that both keeps and leaves out classes, or chooses classes of a regression dataset. */
export function transferClasses(reason: 'both' | 'regression'): SpecProblem {
  return reason === 'both'
    ? problem(
        'TRANSFER_CLASSES',
        'sets both include_classes and exclude_classes',
        'give one: include_classes keeps only the classes listed, exclude_classes keeps all the others',
      )
    : problem(
        'TRANSFER_CLASSES',
        'chooses classes, and the dataset poses a regression task (it has no classes)',
        'use limit alone for a regression dataset',
      );
}

/** TWO_VALIDATION_SPLITS: a share held out beside the dataset's own validation split (`params`: those that give it). */
export function twoValidationSplits(params: readonly string[]): SpecProblem {
  const given = `${params.map((key) => `dataset.${key}`).join(' and ')} ${params.length === 1 ? 'gives' : 'give'}`;
  return problem(
    'TWO_VALIDATION_SPLITS',
    `holds out a share of the training split, and ${given} the dataset's own validation split`,
    `pick one: remove validation, or remove ${params.join(' and ')}`,
  );
}

/**
 * NO_VALIDATION_SPLIT: a search's selection or an `early_stopping` reads the validation split, and the
 * dataset has none (`ownParams`: the dataset's params that would give its own).
 */
export function noValidationSplit(reader: 'search' | 'early_stopping', ownParams: readonly string[]): SpecProblem {
  const own = ownParams.length > 0 ? `, or set ${ownParams.map((key) => `dataset.${key}`).join(' and ')}` : '';
  if (reader === 'search') {
    return problem(
      'NO_VALIDATION_SPLIT',
      'selects on the validation split, and the dataset has none',
      `add validation: 0.1 to the dataset${own}`,
    );
  }
  return problem(
    'NO_VALIDATION_SPLIT',
    'early_stopping watches a validation metric, and the dataset has no validation split',
    `add validation: 0.1 to the dataset, the share of the training split to hold out${own}`,
  );
}

/** SEED_WITH_SEEDS: `seed:` beside `seeds:`, which replaces it. */
export function seedWithSeeds(): SpecProblem {
  return problem(
    'SEED_WITH_SEEDS',
    'given with seeds',
    'seeds: runs every cell once per seed and replaces seed: remove one of them',
  );
}

// ---------------------------------------------------------------------------------------------------
// The grid.

/** NOT_SWEEPABLE: a grid path under a setting of the whole experiment (`key`: its top-level key). */
export function notSweepable(key: string): SpecProblem {
  return problem(
    'NOT_SWEEPABLE',
    `${key} applies to the whole experiment and cannot be swept`,
    'write one spec per value',
  );
}

/** PATH_NOT_SETTABLE: a grid path that cannot be written into the spec (`reason`: see pathThroughValue and the others). */
export function pathNotSettable(key: string, reason: string): SpecProblem {
  return problem('PATH_NOT_SETTABLE', `cannot sweep ${key}: ${reason}`);
}

/** SWEPT_TWICE: a path swept by two axes (`first`: where the first sweeps it). */
export function sweptTwice(key: string, first: string): SpecProblem {
  return problem(
    'SWEPT_TWICE',
    `${key} is already swept by ${first}`,
    'sweep each path once: as its own axis or in one zip group',
  );
}

/** SWEEPS_OVERLAP: a swept path inside another swept path: a cell would set one value twice. */
export function sweepsOverlap(key: string, other: string, where: string): SpecProblem {
  return problem(
    'SWEEPS_OVERLAP',
    `${key} overlaps ${other}, which ${where} already sweeps: a cell would set it twice`,
    'sweep either the whole setting or the path inside it',
  );
}

/** SEED_SWEPT_WITH_SEEDS: `seed` swept while `seeds:` already repeats every cell per seed. */
export function seedSweptWithSeeds(): SpecProblem {
  return problem(
    'SEED_SWEPT_WITH_SEEDS',
    'seed cannot be swept when seeds: repeats every cell per seed',
    'list the seeds in seeds:',
  );
}

/** REPEATED_VALUE: a grid value (or a zip group's step, `what`) listed twice: two cells with one id. */
export function repeatedValue(what: string, first: number): SpecProblem {
  return problem(
    'REPEATED_VALUE',
    `${what} is listed twice (also at [${first}]); each value makes one cell`,
    'list each value once; seeds: repeats a cell per seed',
  );
}

/** ZIP_UNEVEN: a zip group whose lists differ in length (`first`: the group's list it is compared with). */
export function zipUneven(count: number, firstKey: string, firstCount: number): SpecProblem {
  const hint = 'the lists of a zip group move together: give each the same number of values';
  return problem('ZIP_UNEVEN', `has ${count} value(s), but ${firstKey} in the same zip group has ${firstCount}`, hint);
}

/**
 * GRID_TOO_LARGE: more cells than a run may have: the product of the axes' lengths and the seeds (at `seeds`
 * when there is no axis: `axes` empty, `seedsMax` the most seeds a spec lists).
 */
export function gridTooLarge(cells: number, axes: readonly number[], seeds: number, seedsMax: number): SpecProblem {
  const limit = `at most ${SPEC_LIMITS.gridCells} are allowed`;
  if (axes.length === 0) {
    return problem(
      'GRID_TOO_LARGE',
      `makes ${cells} cells (one per seed); ${limit}`,
      `list at most ${seedsMax} seeds; split the rest over several specs`,
    );
  }
  const factors = [...axes, ...(seeds > 1 ? [seeds] : [])];
  return problem(
    'GRID_TOO_LARGE',
    `makes ${cells} cells (${factors.join(' x ')}${seeds > 1 ? ', the last for seeds' : ''}); ${limit}`,
    'split the sweep into several specs',
  );
}

/** SAME_CELL: two cells that resolve to one experiment (`first`, `second`: their grid values) and would write one row key twice. */
export function sameCell(
  first: Readonly<Record<string, unknown>>,
  second: Readonly<Record<string, unknown>>,
  seed: number,
): SpecProblem {
  const label = (values: Readonly<Record<string, unknown>>) =>
    Object.entries(values)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ') || 'the spec';
  return problem(
    'SAME_CELL',
    `two cells are the same experiment (${label(first)} and ${label(second)} resolve to one config for seed ${seed})`,
    'a swept value that changes nothing, a misspelt path or two paths setting one value: make every cell differ',
  );
}

// ---------------------------------------------------------------------------------------------------
// The search.

/** NOT_SEARCHABLE: a search path outside the teacher's own settings (training, layers). */
export function notSearchable(): SpecProblem {
  return problem(
    'NOT_SEARCHABLE',
    "searches the teacher's own settings: a path under training or layers",
    'e.g. training.optimizer.lr or training.epochs',
  );
}

/** REPEATED_SEARCH_VALUE: a searched value listed twice: two search points with one id. */
export function repeatedSearchValue(value: unknown, first: number): SpecProblem {
  return problem(
    'REPEATED_SEARCH_VALUE',
    `${JSON.stringify(value)} is listed twice (also at [${first}]); each value makes one search point`,
    'list each value once',
  );
}

/** CARRY_NOT_SEARCHED: a carried path that is not searched, so no winner has a value for it (`searched`: the paths that are, if any). */
export function carryNotSearched(path: string, searched: readonly string[]): SpecProblem {
  const hint =
    didYouMeanHint(path, searched) ?? (searched.length > 0 ? `carry some of: ${searched.join(', ')}` : undefined);
  return problem(
    'CARRY_NOT_SEARCHED',
    `"${printableKey(path)}" is not a searched path, so there is no winning value to carry`,
    hint,
  );
}

/** NOT_A_VALIDATION_METRIC: a search selecting on something other than a `val_` metric the role records (`recorded`: those it does). */
export function notAValidationMetric(metric: string, role: string, recorded: readonly string[]): SpecProblem {
  const message = `"${printableKey(metric)}" is not a validation metric the ${role} records; the winner is chosen on the validation split, never the test split`;
  return problem(
    'NOT_A_VALIDATION_METRIC',
    message,
    didYouMeanHint(metric, recorded) ?? `choose one of ${recorded.join(', ')}`,
  );
}

/** SEARCH_TOO_LARGE: more search points than allowed, or (with `cells`) more cells once every point meets the grid. */
export function searchTooLarge(points: number, cells?: number): SpecProblem {
  const limit = `at most ${SPEC_LIMITS.gridCells} are allowed`;
  if (cells === undefined) {
    return problem('SEARCH_TOO_LARGE', `makes ${points} search points; ${limit}`, 'search fewer values');
  }
  return problem(
    'SEARCH_TOO_LARGE',
    `makes ${cells} cells with the grid (${points} search point(s) x the grid's cells); ${limit}`,
    'search fewer values, or split the spec',
  );
}

/** SEARCH_STRATEGY: a search with both `grid` and `random`, or neither: what to search is ambiguous or missing. */
export function searchStrategy(both: boolean): SpecProblem {
  return both
    ? problem(
        'SEARCH_STRATEGY',
        'has both grid and random; a search is one or the other',
        'keep grid (every combination of the values listed) or random (n points drawn)',
      )
    : problem(
        'SEARCH_STRATEGY',
        'needs grid (every combination of the values listed) or random (n points drawn from distributions)',
        'e.g. grid: { training.optimizer.lr: [0.01, 0.1] }',
      );
}

/** SEARCH_RANGE: a distribution whose low end is above its high end. */
export function searchRange(kind: string, low: number, high: number): SpecProblem {
  return problem(
    'SEARCH_RANGE',
    `${kind} from ${low} to ${high}: the low end is above the high end`,
    `write [${high}, ${low}]`,
  );
}

/** HALVING_CONFLICT: successive halving with something it cannot work with (it sets the epochs itself). */
export function halvingConflict(what: string, hint: string): SpecProblem {
  return problem('HALVING_CONFLICT', what, hint);
}

/**
 * SEARCH_SPACE_TOO_SMALL: more random points asked for than the space has (every distribution a choice or an
 * int range), or, with `drawn`, than repeated draws found (a continuous range narrower than the rounding).
 */
export function searchSpaceTooSmall(n: number, size: number, drawn = false): SpecProblem {
  const what = drawn
    ? `asks for ${n} points, but drawing found only ${size} different one(s) (values are rounded to 4 significant digits)`
    : `asks for ${n} points, but the space has only ${size} different ones`;
  return problem(
    'SEARCH_SPACE_TOO_SMALL',
    what,
    drawn ? 'widen a range, or ask for fewer points' : `ask for at most ${size}, or search the space whole with grid`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Plugins (a spec's `plugins:` entries, or `--plugin` flags).

/** PLUGIN_TIMEOUT: a plugin module whose loading did not finish in time (`ms`: the limit, `defaultMs`: its default). */
export function pluginTimedOut(reference: string, ms: number, defaultMs: number): SpecProblem {
  const hint = `its top-level code waits for something that never happens; DISTIL_PLUGIN_TIMEOUT_MS sets the limit, default ${defaultMs}`;
  return problem(
    'PLUGIN_TIMEOUT',
    `plugin "${printable(reference)}" did not finish loading within ${ms / 1000} s`,
    hint,
  );
}

/** PLUGIN_NOT_LOADED: a plugin module that cannot be imported (`reason`: the import's error, first line). */
export function pluginNotLoaded(reference: string, reason: string, hint: string): SpecProblem {
  return problem('PLUGIN_NOT_LOADED', `cannot load plugin "${printable(reference)}": ${reason}`, hint);
}

/** PLUGIN_NOT_EXPORTED: a module that exports no plugin (as its default export or as `plugin`). */
export function pluginNotExported(reference: string): SpecProblem {
  return problem(
    'PLUGIN_NOT_EXPORTED',
    `"${printable(reference)}" exports no plugin`,
    'export default definePlugin({ name, components: [...] })',
  );
}

/** PLUGIN_NOT_REGISTERED: a plugin whose registration threw something unforeseen (`reason`: its first line). */
export function pluginNotRegistered(reference: string, reason: string): SpecProblem {
  return problem(
    'PLUGIN_NOT_REGISTERED',
    `plugin "${printable(reference)}" cannot be registered: ${reason}`,
    'export default definePlugin({ name, components: [...] })',
  );
}

/** PLUGIN_INVALID: a plugin the registry refuses (the registry's PLUGIN_INVALID error, its message and hint). */
export function pluginInvalid(message: string, hint: string): SpecProblem {
  return { code: 'PLUGIN_INVALID', message, hint };
}
