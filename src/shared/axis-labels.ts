// Readable labels of a grid axis's values: a component by its name, or by its name and the params that tell it apart.

type Mapping = Readonly<Record<string, unknown>>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A grid value as the tables record it exactly: numbers and strings as they are, anything else (lists,
 * mappings, booleans) as JSON. The axis columns of results.csv hold this text.
 */
export function exactText(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : JSON.stringify(value);
}

/** A param's value in a label: numbers, strings and booleans as they are, lists and mappings as JSON. */
const paramText = (value: unknown): string => (typeof value === 'boolean' ? String(value) : exactText(value));

/**
 * The component a grid value names: a string is a component's name, a mapping its `name`; undefined for
 * a mapping without a name (the task's default component) and for anything else (a number, a list).
 */
export function componentName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isMapping(value) && typeof value.name === 'string' ? value.name : undefined;
}

/** The params of an entry (its keys but `name`); a component written as its name has none. */
const paramsOf = (value: unknown): Mapping =>
  isMapping(value) ? Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'name')) : {};

/** The params whose value is not the same in every entry (absent counts as a value), in the order first written. */
function differingParams(entries: readonly unknown[]): string[] {
  const keys = [...new Set(entries.flatMap((entry) => Object.keys(paramsOf(entry))))];
  return keys.filter((key) => {
    const seen = new Set(entries.map((entry) => (key in paramsOf(entry) ? JSON.stringify(paramsOf(entry)[key]) : '')));
    return seen.size > 1;
  });
}

/** One entry's label among the entries of its name: the name, with the params it writes of those that differ. */
function entryLabel(value: unknown, name: string, differing: readonly string[], alone: boolean): string {
  const params = paramsOf(value);
  const shown = alone && name === '' ? Object.keys(params) : differing.filter((key) => key in params);
  const text = shown.map((key) => `${key}=${paramText(params[key])}`).join(', ');
  if (name === '') return `(${text})`;
  return text === '' ? name : `${name}(${text})`;
}

/**
 * The labels of one axis's values, in order. A component (a mapping with `name`, or a name alone) is
 * labelled by its name when no other entry of the axis has that name (`dkd`), else by its name and the
 * params it sets of those that differ between the axis's entries of that name (`kd(temperature=2)`). A
 * mapping without a name is labelled by its params, `(temperature=2)`. Other values keep their exact
 * text. Two entries whose labels would coincide keep their exact text, so labels tell entries apart.
 */
export function axisLabels(values: readonly unknown[]): string[] {
  const groups = new Map<string, unknown[]>();
  for (const value of values) {
    if (!isMapping(value) && typeof value !== 'string') continue;
    const name = componentName(value) ?? '';
    groups.set(name, [...(groups.get(name) ?? []), value]);
  }
  const differing = new Map([...groups].map(([name, entries]) => [name, differingParams(entries)]));
  const labels = values.map((value) => {
    if (typeof value === 'string') return value;
    if (!isMapping(value)) return exactText(value);
    const name = componentName(value) ?? '';
    return entryLabel(value, name, differing.get(name) ?? [], (groups.get(name) ?? []).length === 1);
  });
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return labels.map((label, i) => ((counts.get(label) ?? 0) > 1 ? exactText(values[i]) : label));
}
