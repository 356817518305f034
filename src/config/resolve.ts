// Resolves the spec the user wrote into the readonly experiment the runner reads, collecting every issue.
import type { Role, Task } from '../shared/index.js';
import { existsSync, statSync } from 'node:fs';
import baseSchema from './base-schema.json' with { type: 'json' };
import path from 'node:path';
import { DENSE_UNITS_MAX } from '../shared/index.js';
import {
  componentFailed,
  distillationAsLoss,
  invalidTask,
  invalidValidationShare,
  issueAt,
  loadWithLayers,
  missingKey,
  modelFileNotFound,
  noValidationSplit,
  notADistillation,
  sharedMetricColumn,
  twoValidationSplits,
  unknownComponent,
  unrecordedMetric,
  wrongTask,
} from '../errors/index.js';
import type { SpecIssue, SpecProblem } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { metricFacts } from '../registry/index.js';
import type { ComponentKind } from '../registry/index.js';
import { issuesFromAjv } from './ajv-issues.js';
import type { Locator } from './ajv-issues.js';
import type { PathSegment } from './load.js';
import { formatPath } from './locate.js';
import type {
  ComponentRef,
  EarlyStopping,
  ResolvedConfig,
  ResolvedModel,
  ResolvedTraining,
} from './resolved-config.js';
// Importers of the resolver's output from here (bench/) keep working.
export type {
  ComponentRef,
  EarlyStopping,
  ResolvedConfig,
  ResolvedModel,
  ResolvedTraining,
} from './resolved-config.js';

/** The params by which a registered dataset brings its own validation split (none for an unknown name). */
export function validationParamsOf(registry: Registry, dataset: string): readonly string[] {
  const found = registry.lookup('dataset', dataset).found;
  return found?.definition.kind === 'dataset' ? (found.definition.validationParams ?? []) : [];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The defaults the base schema states, read from it: ajv fills them into the copy it validates, which is
 * thrown away, because a role's training is merged over the shared one and defaults filled into the role's
 * own settings would override the shared ones.
 */
function schemaDefaults(schema: { readonly properties: Readonly<Record<string, object>> }): Json {
  return Object.fromEntries(
    Object.entries(schema.properties).flatMap(([key, property]) =>
      'default' in property ? [[key, property.default]] : [],
    ),
  );
}

const { optimizer: DEFAULT_OPTIMIZER, ...TRAINING_DEFAULTS } = schemaDefaults(baseSchema.definitions.training);
const DEFAULT_SEED = baseSchema.properties.seed.default;
const DEFAULT_EVALUATION = schemaDefaults(baseSchema.properties.evaluation);
const DEFAULT_PATIENCE = baseSchema.definitions.training.properties.early_stopping.properties.patience.default;
/** The defaults that depend on the dataset's task, which the schema cannot state. */
const DEFAULT_LOSS: Record<Task, string> = { classification: 'cross-entropy', regression: 'mse' };
const DEFAULT_METRICS: Record<Task, string[]> = {
  classification: ['loss', 'accuracy'],
  regression: ['mse', 'rmse', 'mae', 'r2'],
};
const DEFAULT_DISTILLATION: Record<Task, string> = { classification: 'kd', regression: 'soft-mse' };

/** Resolves one spec (after grid overrides) against the registry; problems go to `issues`. */
export class ConfigResolver {
  readonly issues: SpecIssue[] = [];
  /** The components whose params the schema refused (their own code is not asked about them). */
  private readonly refused = new WeakSet<ComponentRef>();

  constructor(
    private readonly registry: Registry,
    private readonly locateAt: Locator,
    /** Where the spec's relative paths start (a role's `load:`). */
    private readonly baseDir = process.cwd(),
  ) {}

  /** Records a problem at a path (at its key with `atKey`). */
  private report(at: PathSegment[], problem: SpecProblem, atKey?: boolean): void {
    this.issues.push(issueAt(this.locateAt(at, atKey), formatPath(at), problem));
  }

  /** Resolves a `name` or `{ name, ...params }` reference to a registered component. */
  component(
    kind: ComponentKind,
    value: unknown,
    at: PathSegment[],
    fallback?: string,
    task?: Task,
  ): ComponentRef | undefined {
    const raw = value === undefined ? fallback : value;
    let name: string;
    let params: Json;
    if (typeof raw === 'string') {
      name = raw;
      params = {};
    } else if (isObject(raw) && typeof raw.name === 'string') {
      ({ name, ...params } = raw);
    } else if (isObject(raw) && raw.name === undefined && fallback) {
      // `{ temperature: 4 }` keeps the default component and sets its params.
      name = fallback;
      params = raw;
    } else {
      return undefined; // the base schema has reported the shape
    }
    const lookup = this.registry.lookup(kind, name);
    if (!lookup.found) {
      this.report(
        isObject(raw) && typeof raw.name === 'string' ? [...at, 'name'] : at,
        unknownComponent(kind, name, lookup),
      );
      return undefined;
    }
    const tasks = lookup.found.definition.tasks;
    if (task && tasks && !tasks.includes(task)) this.report(at, wrongTask(kind, name, tasks, task));
    const filled = structuredClone(params);
    const errors = lookup.found.validate(filled);
    this.issues.push(...issuesFromAjv(errors, at, this.locateAt));
    const ref = { name, params: filled };
    if (errors.length > 0) this.refused.add(ref);
    return ref;
  }

  /**
   * Calls a component's own code (a plugin's may throw anything): a failure becomes an issue at `at`
   * and `fallback` is used instead.
   */
  private guarded<T>(
    kind: ComponentKind,
    name: string,
    doing: string,
    at: PathSegment[],
    fallback: T,
    call: () => T,
  ): T {
    try {
      return call();
    } catch (error) {
      this.report(at, componentFailed(kind, name, doing, error));
      return fallback;
    }
  }

  /**
   * The task the dataset poses, asked of the dataset component before it loads anything; undefined when
   * it depends on params the schema refused: asked, the dataset would be blamed for their problem.
   */
  task(dataset: ComponentRef | undefined): Task | undefined {
    if (!dataset) return 'classification';
    const definition = this.registry.get('dataset', dataset.name).definition;
    if (definition.kind !== 'dataset') return 'classification';
    const { task } = definition;
    if (typeof task !== 'function') return task;
    if (this.refused.has(dataset)) return undefined;
    const asked = this.guarded('dataset', dataset.name, 'telling its task', ['dataset'], undefined, () =>
      task(dataset.params as never),
    );
    if (asked === undefined || asked === 'classification' || asked === 'regression') return asked ?? 'classification';
    this.report(['dataset'], invalidTask(dataset.name, asked));
    return 'classification';
  }

  private layers(value: unknown, at: PathSegment[]): ComponentRef[] {
    if (!Array.isArray(value)) return [];
    return value.flatMap((layer, i) => {
      // An integer is the shorthand for a Dense layer with ReLU.
      // Outside the shorthand's range the base schema has reported it; the dense layer must not repeat it.
      if (typeof layer === 'number' && !(Number.isInteger(layer) && layer >= 1 && layer <= DENSE_UNITS_MAX)) return [];
      const ref =
        typeof layer === 'number'
          ? this.component('layer', { name: 'dense', units: layer, activation: 'relu' }, [...at, i])
          : this.component('layer', layer, [...at, i]);
      return ref ? [ref] : [];
    });
  }

  /** A role's training; `told` is the dataset's task, undefined when it could not be asked (see {@link task}). */
  private training(shared: Json, own: Json, at: PathSegment[], told: Task | undefined): ResolvedTraining {
    // Each key a role sets replaces the shared one whole (an optimizer is not merged key by key).
    const merged: Json = { ...TRAINING_DEFAULTS, ...shared, ...own };
    const where = (key: string): PathSegment[] => (key in own ? [...at, 'training', key] : ['training', key]);
    const task = told ?? 'classification';
    const metrics = Array.isArray(merged.metrics) ? merged.metrics : DEFAULT_METRICS[task];
    const metricRefs = metrics.flatMap(
      (m, i) => this.component('metric', m, [...where('metrics'), i], undefined, told) ?? [],
    );
    this.checkMetricColumns(metricRefs, metrics, where('metrics'));
    const optimizer = this.component('optimizer', merged.optimizer, where('optimizer'), DEFAULT_OPTIMIZER as string);
    const loss = this.component('loss', merged.loss, where('loss'), DEFAULT_LOSS[task], told);
    // The label loss of every role (the student's too, for its test loss) runs without a teacher.
    if (loss && this.needsTeacher(loss)) {
      this.report(where('loss'), distillationAsLoss(loss.name, task, DEFAULT_LOSS[task]));
    }
    // Metrics picked for a task the dataset did not tell: whether the role records the watched one is a guess.
    const guessed = told === undefined && !Array.isArray(merged.metrics);
    return {
      epochs: merged.epochs as number,
      batchSize: merged.batch_size as number,
      optimizer: optimizer ?? { name: DEFAULT_OPTIMIZER as string, params: {} },
      loss: loss ?? { name: DEFAULT_LOSS[task], params: {} },
      metrics: metricRefs,
      logEvery: merged.log_every as number,
      evalEvery: merged.eval_every as number,
      lrDecay: merged.lr_decay as number,
      earlyStopping: this.earlyStopping(merged.early_stopping, metricRefs, where('early_stopping'), guessed),
    };
  }

  /** Two metrics writing one column would lose one value silently: each needs a column of its own. */
  private checkMetricColumns(refs: readonly ComponentRef[], written: readonly unknown[], at: PathSegment[]): void {
    if (refs.length !== written.length) return; // an unknown metric was reported; indices would not line up
    const owner = new Map<string, string>();
    refs.forEach((ref, i) => {
      const { definition } = this.registry.get('metric', ref.name);
      if (definition.kind !== 'metric') return;
      const { column } = metricFacts(definition);
      const first = owner.get(column);
      if (first !== undefined) this.report([...at, i], sharedMetricColumn(ref.name, column, first));
      else owner.set(column, ref.name);
    });
  }

  /** `early_stopping`, whose metric must be one the role records (as `val_<column>`). */
  private earlyStopping(
    value: unknown,
    metrics: readonly ComponentRef[],
    at: PathSegment[],
    guessed: boolean,
  ): EarlyStopping | undefined {
    if (!isObject(value) || typeof value.metric !== 'string' || !value.metric.startsWith('val_')) return undefined;
    const patience = typeof value.patience === 'number' ? value.patience : DEFAULT_PATIENCE;
    // Unchecked (the spec is refused for the dataset's params), but still watching a validation split.
    if (guessed) return { metric: value.metric.slice(4), higherIsBetter: true, patience };
    const facts = metrics.flatMap((ref) => {
      const { definition } = this.registry.get('metric', ref.name);
      return definition.kind === 'metric' ? [metricFacts(definition)] : [];
    });
    const column = value.metric.slice(4);
    const watched = facts.find((f) => f.column === column);
    if (!watched) {
      this.report(
        [...at, 'metric'],
        unrecordedMetric(
          value.metric,
          facts.map((f) => `val_${f.column}`),
        ),
      );
      return undefined;
    }
    return { metric: column, higherIsBetter: watched.higherIsBetter, patience };
  }

  private model(spec: Json, role: Role, task: Task | undefined): ResolvedModel {
    const models = isObject(spec.models) ? spec.models : {};
    // The person is the student's architecture unless the spec says otherwise.
    const own = isObject(models[role])
      ? models[role]
      : role === 'person' && isObject(models.student)
        ? { layers: models.student.layers, load: models.student.load }
        : {};
    const source = role === 'person' && !isObject(models.person) ? 'student' : role;
    const shared = isObject(spec.training) ? spec.training : {};
    const ownTraining = isObject(own.training) ? own.training : {};
    const load = this.load(own, source, isObject(models[role]));
    return {
      layers: this.layers(own.layers, ['models', source, 'layers']),
      ...(load ? { load } : {}),
      training: this.training(shared, ownTraining, ['models', source], task),
    };
  }

  /**
   * A role's `load:` as the absolute path of a model.json that exists; a role needs layers or load, not
   * both (the base schema leaves that rule here, to word it).
   */
  private load(own: Json, role: string, written: boolean): string | undefined {
    const at: PathSegment[] = ['models', role];
    const hasLayers = own.layers !== undefined;
    if (typeof own.load !== 'string' || own.load === '') {
      if (written && !hasLayers && own.load === undefined) {
        this.report(
          at,
          missingKey('layers', 'list the hidden layers, e.g. layers: [128, 64], or load: a saved model'),
          true,
        );
      }
      return undefined;
    }
    if (hasLayers) {
      this.report([...at, 'load'], loadWithLayers(), true);
      return undefined;
    }
    const given = path.resolve(this.baseDir, own.load);
    const file = existsSync(given) && statSync(given).isDirectory() ? path.join(given, 'model.json') : given;
    if (!existsSync(file)) {
      this.report([...at, 'load'], modelFileNotFound(file));
      return undefined;
    }
    return file;
  }

  private needsTeacher(loss: ComponentRef): boolean {
    const definition = this.registry.get('loss', loss.name).definition;
    return definition.kind === 'loss' && definition.needsTeacher === true;
  }

  /** Resolves a whole (base-schema-valid) spec object. */
  config(spec: Json): ResolvedConfig {
    const { validation, shareGiven, datasetSpec } = this.validation(spec.dataset);
    const dataset = this.component('dataset', datasetSpec, ['dataset']);
    const ownValidation = this.ownValidation(dataset, shareGiven);
    const told = this.task(dataset);
    // Defaults need a task; the checks use only one the dataset told.
    const task = told ?? 'classification';
    const distillation = this.component('loss', spec.distillation, ['distillation'], DEFAULT_DISTILLATION[task], told);
    if (distillation && !this.needsTeacher(distillation)) {
      this.report(['distillation'], notADistillation(distillation.name, task, DEFAULT_DISTILLATION[task]));
    }
    const evaluation = isObject(spec.evaluation) ? spec.evaluation : {};
    const models = {
      teacher: this.model(spec, 'teacher', told),
      student: this.model(spec, 'student', told),
      person: this.model(spec, 'person', told),
    };
    if (validation === 0 && !ownValidation && Object.values(models).some((model) => model.training.earlyStopping)) {
      this.report(
        ['dataset'],
        noValidationSplit('early_stopping', dataset ? validationParamsOf(this.registry, dataset.name) : []),
      );
    }
    return {
      seed: typeof spec.seed === 'number' ? spec.seed : DEFAULT_SEED,
      task,
      dataset: dataset ?? { name: 'unknown', params: {} },
      models,
      distillation: distillation ?? { name: DEFAULT_DISTILLATION[task], params: {} },
      evaluation: {
        batchSize: (typeof evaluation.batch_size === 'number'
          ? evaluation.batch_size
          : DEFAULT_EVALUATION.batch_size) as number,
      },
      validation,
      ...(ownValidation ? { ownValidation } : {}),
    };
  }

  /**
   * The set param by which the dataset brings its own validation split, if any. Beside a share
   * (`dataset.validation`) it is an issue: one of the two would be ignored.
   */
  private ownValidation(dataset: ComponentRef | undefined, shareGiven: boolean): string | undefined {
    if (!dataset) return undefined;
    const set = validationParamsOf(this.registry, dataset.name).filter((key) => dataset.params[key] !== undefined);
    if (set.length > 0 && shareGiven) this.report(['dataset', 'validation'], twoValidationSplits(set));
    return set[0];
  }

  /**
   * `dataset.validation`: the share of the training split every dataset can hold out for validation,
   * taken off the dataset's own params (so no dataset component has to know it).
   */
  private validation(value: unknown): { validation: number; shareGiven: boolean; datasetSpec: unknown } {
    if (!isObject(value) || !Object.hasOwn(value, 'validation')) {
      return { validation: 0, shareGiven: false, datasetSpec: value };
    }
    const { validation, ...datasetSpec } = value;
    if (typeof validation === 'number' && validation > 0 && validation <= 0.5) {
      return { validation, shareGiven: true, datasetSpec };
    }
    this.report(['dataset', 'validation'], invalidValidationShare(validation));
    return { validation: 0, shareGiven: true, datasetSpec };
  }
}
