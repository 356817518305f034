// Resolves the spec the user wrote into the readonly config the runner reads, collecting every issue: the
// dataset and its task, each role's model (layers or a saved model) and training, the distillation.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  invalidTask,
  invalidValidationShare,
  loadWithLayers,
  missingKey,
  modelFileNotFound,
  noValidationSplit,
  notADistillation,
  teacherSeedOnly,
  transferClasses,
  twoValidationSplits,
} from '../errors/index.js';
import type { ValidateFunction } from 'ajv';
import { getAjv } from '../shared/index.js';
import baseSchema from './base-schema.json' with { type: 'json' };
import { issuesFromAjv } from './ajv-issues.js';
import type { Registry } from '../registry/index.js';
import { DENSE_UNITS_MAX } from '../shared/index.js';
import type { Role, Task } from '../shared/index.js';
import type { Locator } from './ajv-issues.js';
import { isObject } from './component-resolver.js';
import { DEFAULT_DISTILLATION, DEFAULT_EVALUATION_BATCH_SIZE, DEFAULT_SEED } from './defaults.js';
import type { Json } from './defaults.js';
import type { PathSegment } from './load.js';
import type { ComponentRef, ResolvedConfig, ResolvedModel, TransferSet } from './resolved-config.js';
import { TrainingResolver } from './training-resolver.js';

/** The params by which a registered dataset brings its own validation split (none for an unknown name). */
export function validationParamsOf(registry: Registry, dataset: string): readonly string[] {
  const found = registry.lookup('dataset', dataset).found;
  return found?.definition.kind === 'dataset' ? (found.definition.validationParams ?? []) : [];
}

let transferValidator: ValidateFunction | undefined;

/** Resolves one spec (after grid overrides) against the registry; problems go to `issues`. */
export class ConfigResolver extends TrainingResolver {
  constructor(
    registry: Registry,
    locateAt: Locator,
    /** Where the spec's relative paths start (a role's `load:`). */
    private readonly baseDir = process.cwd(),
  ) {
    super(registry, locateAt);
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

  /**
   * The number of classes the dataset definition knows before reading any data (MNIST's 10); undefined when
   * the data tells, or its params were refused.
   */
  private classes(dataset: ComponentRef | undefined): number | undefined {
    if (!dataset || this.refused.has(dataset)) return undefined;
    const definition = this.registry.get('dataset', dataset.name).definition;
    if (definition.kind !== 'dataset' || definition.classes === undefined) return undefined;
    const { classes } = definition;
    const told =
      typeof classes === 'function'
        ? this.guarded<unknown>('dataset', dataset.name, 'telling its classes', ['dataset'], undefined, () =>
            classes(dataset.params as never),
          )
        : classes;
    // A plugin's answer that is no count of classes is not used: the loaded data is checked before a run anyway.
    return typeof told === 'number' && Number.isInteger(told) && told >= 2 ? told : undefined;
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

  private model(spec: Json, role: Role, task: Task | undefined, classes: number | undefined): ResolvedModel {
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
    const seed = typeof own.seed === 'number' && isObject(models[role]) ? own.seed : undefined;
    if (seed !== undefined && role !== 'teacher') this.report(['models', role, 'seed'], teacherSeedOnly(role), true);
    return {
      layers: this.layers(own.layers, ['models', source, 'layers']),
      ...(load ? { load } : {}),
      training: this.training(shared, ownTraining, ['models', source], task, classes),
      ...(seed !== undefined && role === 'teacher' ? { seed } : {}),
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

  /** Resolves a whole (base-schema-valid) spec object. */
  config(spec: Json): ResolvedConfig {
    const { validation, shareGiven, datasetSpec } = this.validation(spec.dataset);
    const dataset = this.component('dataset', datasetSpec, ['dataset']);
    const ownValidation = this.ownValidation(dataset, shareGiven);
    const told = this.task(dataset);
    // Defaults need a task; the checks use only one the dataset told.
    const task = told ?? 'classification';
    const { transfer, method } = this.transfer(spec.distillation, told);
    const distillation = this.component('loss', method, ['distillation'], DEFAULT_DISTILLATION[task], told);
    if (distillation && !this.needsTeacher(distillation)) {
      this.report(['distillation'], notADistillation(distillation.name, task, DEFAULT_DISTILLATION[task]));
    }
    const evaluation = isObject(spec.evaluation) ? spec.evaluation : {};
    const classes = told === 'classification' ? this.classes(dataset) : undefined;
    const models = {
      teacher: this.model(spec, 'teacher', told, classes),
      student: this.model(spec, 'student', told, classes),
      person: this.model(spec, 'person', told, classes),
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
        batchSize: typeof evaluation.batch_size === 'number' ? evaluation.batch_size : DEFAULT_EVALUATION_BATCH_SIZE,
      },
      validation,
      ...(ownValidation ? { ownValidation } : {}),
      ...(transfer ? { transfer } : {}),
    };
  }

  /**
   * `distillation.transfer`, taken off the method's params (no method declares it): the training examples
   * the student and the person train on, checked against the base schema's `transfer`.
   */
  private transfer(value: unknown, told: Task | undefined): { transfer?: TransferSet; method: unknown } {
    if (!isObject(value) || !Object.hasOwn(value, 'transfer')) return { method: value };
    const { transfer: given, ...method } = value;
    const at: PathSegment[] = ['distillation', 'transfer'];
    transferValidator ??= getAjv().compile({ ...baseSchema.definitions.transfer, definitions: {} });
    if (!transferValidator(given)) {
      this.issues.push(...issuesFromAjv(transferValidator.errors ?? [], at, this.locateAt));
      return { method };
    }
    const set = given as { exclude_classes?: number[]; include_classes?: number[]; limit?: number };
    if (set.exclude_classes && set.include_classes) this.report(at, transferClasses('both'));
    else if (told === 'regression' && (set.exclude_classes || set.include_classes)) {
      this.report(at, transferClasses('regression'));
    }
    return {
      method,
      transfer: {
        ...(set.exclude_classes ? { excludeClasses: [...set.exclude_classes].sort((a, b) => a - b) } : {}),
        ...(set.include_classes ? { includeClasses: [...set.include_classes].sort((a, b) => a - b) } : {}),
        ...(set.limit !== undefined ? { limit: set.limit } : {}),
      },
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
