// Generates the published JSON Schema of specs (schema/experiment.schema.json): the base schema with
// every registered component's params, for editors and generic validators.
import type { Task } from '../shared/index.js';
import type { Registry, RegisteredComponent } from '../registry/index.js';
import type { ComponentKind } from '../registry/index.js';
import baseSchema from './base-schema.json' with { type: 'json' };
import { inlinedParams, portableSchema } from './schema-portable.js';

type Schema = Record<string, unknown>;

/** Where the published schema lives, as its `$id` says. */
export const SCHEMA_ID = 'https://github.com/distil-run/distil-run/schema/experiment.schema.json';

/** The command that rewrites schema/experiment.schema.json (a test fails until it has been run). */
export const REGENERATE_COMMAND = 'npm run schema';

/** A place in a spec that names a component: which kind, and what an object without "name" means. */
interface Slot {
  readonly kind: ComponentKind;
  /**
   * The component an object without "name" resolves to, by task (the defaults of src/config/resolve.ts;
   * a test checks they agree). Absent: "name" is required.
   */
  readonly defaults?: Readonly<Record<Task, string>>;
  /** Only these components fit the slot. */
  readonly accepts?: (component: RegisteredComponent) => boolean;
}

/** Every kind of place a spec names a component in, by the name of its definition in the published schema. */
export const SLOTS = {
  dataset: { kind: 'dataset' },
  layer: { kind: 'layer' },
  augmentation: { kind: 'augmentation' },
  optimizer: { kind: 'optimizer', defaults: { classification: 'adam', regression: 'adam' } },
  // A role's label loss runs without a teacher (distil-run refuses one that reads it there).
  loss: {
    kind: 'loss',
    defaults: { classification: 'cross-entropy', regression: 'mse' },
    accepts: ({ definition }) => definition.kind === 'loss' && definition.needsTeacher !== true,
  },
  metric: { kind: 'metric' },
  // The student's loss must read the teacher's outputs (distil-run refuses any other there).
  distillation: {
    kind: 'loss',
    defaults: { classification: 'kd', regression: 'soft-mse' },
    accepts: ({ definition }) => definition.kind === 'loss' && definition.needsTeacher === true,
  },
} satisfies Record<string, Slot>;

type SlotName = keyof typeof SLOTS;

/** Where the base schema refers to a component (its generic definitions), and the slot put there instead. */
const PLACES: ReadonlyArray<readonly [readonly string[], SlotName]> = [
  [['properties', 'dataset'], 'dataset'],
  [['properties', 'distillation'], 'distillation'],
  [['definitions', 'model', 'properties', 'layers', 'items'], 'layer'],
  [['definitions', 'training', 'properties', 'augment', 'items'], 'augmentation'],
  [['definitions', 'training', 'properties', 'optimizer'], 'optimizer'],
  [['definitions', 'training', 'properties', 'loss'], 'loss'],
  [['definitions', 'training', 'properties', 'metrics', 'items'], 'metric'],
];

/** The base schema's generic component definitions, which the slots replace. */
const GENERIC = ['component', 'defaultedComponent', 'layer'];

/** Every dataset takes `validation` (taken off its params by the resolver, so no dataset declares it). */
const VALIDATION_PARAM = {
  type: 'number',
  exclusiveMinimum: 0,
  maximum: 0.5,
  description: 'The share of the training split held out, seeded, as the validation split (any dataset), e.g. 0.1.',
};

const ref = (definition: string): Schema => ({ $ref: `#/definitions/${definition}` });

/** `then` applies only to values of that type (the others are the base schema's to report). */
const whenType = (type: string, then: Schema): Schema => ({ if: { type }, then: { type, ...then } });

/** A component's params as the object that names it: its own keys plus "name" (and a dataset's validation). */
function paramsObject(component: RegisteredComponent, named: boolean, moved: Schema): Schema {
  const { definition } = component;
  const params = inlinedParams(definition.params, `${definition.kind}:${definition.name}:`, moved);
  const properties: Schema = {
    ...(named ? { name: { const: definition.name } } : {}),
    ...(definition.kind === 'dataset' ? { validation: VALIDATION_PARAM } : {}),
    // Every distillation takes `transfer` (taken off its params by the resolver, so no method declares it).
    ...(definition.kind === 'loss' && definition.needsTeacher === true ? { transfer: ref('transfer') } : {}),
    ...((params.properties as Schema | undefined) ?? {}),
  };
  // As the registry compiles it: unknown keys are errors unless the component says otherwise.
  return { description: definition.description, type: 'object', additionalProperties: false, ...params, properties };
}

/** Whether a component cannot be named bare (`dataset: csv`): it has required params. */
const needsParams = ({ definition }: RegisteredComponent): boolean =>
  Array.isArray(definition.params.required) && definition.params.required.length > 0;

/** The object without "name": the params of the slot's default component for the task. */
function defaultBranch(slot: Slot, components: readonly RegisteredComponent[], moved: Schema): Schema[] {
  if (!slot.defaults) return [];
  const names = [...new Set(Object.values(slot.defaults))];
  const found = components.filter((c) => names.includes(c.definition.name));
  const unique = [
    ...new Map(
      found.map((c) => paramsObject(c, false, moved)).map((s) => [JSON.stringify({ ...s, description: '' }), s]),
    ).values(),
  ];
  const byTask = Object.entries(slot.defaults)
    .map(([task, name]) => `${name} (${task})`)
    .join(', ');
  const description =
    names.length === 1
      ? `Without "name": ${names[0]} with its params.`
      : `Without "name": the default for the dataset's task, ${byTask}, with its params.`;
  const then =
    unique.length === 1 ? { ...unique[0], description } : unique.length === 0 ? false : { description, anyOf: unique };
  return [{ if: { properties: { name: false } }, then }]; // `name: false`: applies when there is no name
}

/** A slot: a component's name alone, or an object with "name" (optional with a default) and its params. */
function slotSchema(slot: Slot, components: readonly RegisteredComponent[], moved: Schema): Schema {
  const names = components.map((c) => c.definition.name);
  const withParams = components.filter(needsParams).map((c) => c.definition.name);
  const bare: Schema = {
    type: 'string',
    minLength: 1,
    examples: names,
    ...(withParams.length > 0
      ? {
          description: `A component's name (${withParams.join(', ')} have required params: write { name, ...params }).`,
          not: { enum: withParams },
        }
      : {}),
  };
  const object: Schema = {
    type: 'object',
    ...(slot.defaults ? {} : { required: ['name'] }),
    properties: { name: { type: 'string', minLength: 1, examples: names } },
    allOf: [
      ...defaultBranch(slot, components, moved),
      ...components.map((c) => ({
        if: { properties: { name: { const: c.definition.name } }, required: ['name'] },
        then: paramsObject(c, true, moved),
      })),
    ],
  };
  return { if: { type: 'string' }, then: bare, else: object };
}

/** The names a slot may take when the spec loads no plugins: only the registered ones. */
function slotNames(names: readonly string[]): Schema {
  return {
    if: { type: 'string' },
    then: { enum: names },
    else: whenType('object', { properties: { name: { enum: names } } }),
  };
}

/**
 * The checks of component names along the schema's shape (`properties`, `items`, `$ref`s), or undefined
 * where no slot is below `node`. A definition passed through gets a `<name>Names` twin in `out`; a slot's
 * check is `<slot>Name`, already there.
 */
function nameChecks(node: unknown, definitions: Schema, out: Schema): Schema | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const { $ref, properties, items } = node as Schema;
  if (typeof $ref === 'string') {
    const target = $ref.replace('#/definitions/', '');
    if (target in SLOTS) return ref(`${target}Name`);
    const twin = `${target}Names`;
    if (!(twin in out)) {
      out[twin] = true; // a definition that refers to itself stops here
      const checks = nameChecks(definitions[target], definitions, out);
      if (checks) out[twin] = checks;
      else delete out[twin];
    }
    return twin in out ? ref(twin) : undefined;
  }
  const found = Object.entries((properties as Schema | undefined) ?? {}).flatMap(([key, child]) => {
    const checks = nameChecks(child, definitions, out);
    return checks ? [[key, checks] as const] : [];
  });
  if (found.length > 0) return whenType('object', { properties: Object.fromEntries(found) });
  const itemChecks = nameChecks(items, definitions, out);
  return itemChecks ? whenType('array', { items: itemChecks }) : undefined;
}

/**
 * Points the base schema's reference at `path` to the slot's definition.
 * @throws Error when the base schema no longer refers to a component there (PLACES must follow it).
 */
function place(schema: Schema, path: readonly string[], slot: SlotName): void {
  const node = path.reduce<unknown>((at, key) => (at as Schema | undefined)?.[key], schema) as Schema | undefined;
  const target = typeof node?.$ref === 'string' ? node.$ref.replace('#/definitions/', '') : undefined;
  if (!node || !target || !GENERIC.includes(target)) {
    throw new Error(`base-schema.json: ${path.join('.')} refers to no component; update PLACES in schema-gen.ts`);
  }
  node.$ref = `#/definitions/${slot}`;
}

/** The components a slot may name, sorted by name. */
const slotComponents = (registry: Registry, slot: Slot): RegisteredComponent[] =>
  registry.list(slot.kind).filter((c) => slot.accepts?.(c) ?? true);

/**
 * The JSON Schema of specs for generic validators and editors: the base schema (without distil-run's
 * message annotations) where every component reference lists the registry's components with their
 * params (`if name is sgd then sgd's params`, unknown params refused). A spec that loads no plugins may
 * name only those components; one that lists `plugins:` may name others, whose params go unchecked.
 */
export function experimentSchema(registry: Registry): Schema {
  const base = portableSchema(baseSchema) as Schema;
  for (const [path, slot] of PLACES) place(base, path, slot);
  const { $schema, title, description, definitions: baseDefinitions, ...rest } = base;
  const definitions = Object.fromEntries(
    Object.entries(baseDefinitions as Schema).filter(([name]) => !GENERIC.includes(name)),
  );
  const moved: Schema = {};
  const names: Schema = {};
  for (const [name, slot] of Object.entries(SLOTS) as [SlotName, Slot][]) {
    const components = slotComponents(registry, slot);
    definitions[name] = slotSchema(slot, components, moved);
    names[`${name}Name`] = slotNames(components.map((c) => c.definition.name));
  }
  // A layer may also be an integer: Dense units with ReLU.
  const shorthand = ((baseDefinitions as Schema).layer as { anyOf: Schema[] }).anyOf[0];
  definitions.layer = {
    if: { type: 'integer' },
    then: { ...shorthand, description: 'Units of a Dense layer with ReLU.' },
    else: definitions.layer,
  };
  const registered = nameChecks({ properties: base.properties }, definitions, names);
  return {
    $schema,
    $id: SCHEMA_ID,
    $comment:
      'Generated by "distil-run schema" from the registered components (with --plugin, a plugin\'s too); do not edit.',
    title,
    description,
    ...rest,
    // A spec without plugins: names only the components listed here; the others cannot be known.
    if: { properties: { plugins: { type: 'array', minItems: 1 } }, required: ['plugins'] },
    else: ref('registeredNames'),
    definitions: {
      ...definitions,
      registeredNames: {
        description:
          "A spec without plugins: names only the components this schema lists (distil-run schema --plugin P lists a plugin's).",
        ...registered,
      },
      ...names,
      ...moved,
    },
  };
}

/** The published schema as the file holds it: two-space JSON and a final newline. */
export function experimentSchemaText(registry: Registry): string {
  return `${JSON.stringify(experimentSchema(registry), null, 2)}\n`;
}
