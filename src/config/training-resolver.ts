// Resolves a role's training: the shared settings and the role's own merged over the schema's defaults, its
// optimizer, label loss and metrics (each with a column of its own, and able to measure the dataset), and early
// stopping on a metric the role records.
import {
  distillationAsLoss,
  invalidMetricColumn,
  metricDoesNotFit,
  sharedMetricColumn,
  unrecordedMetric,
} from '../errors/index.js';
import { COLUMN, metricFacts } from '../registry/index.js';
import type { MetricDatasetFacts, MetricFacts } from '../registry/index.js';
import type { Task } from '../shared/index.js';
import { ComponentResolver, isObject } from './component-resolver.js';
import { DEFAULT_LOSS, DEFAULT_METRICS, DEFAULT_OPTIMIZER, DEFAULT_PATIENCE, TRAINING_DEFAULTS } from './defaults.js';
import type { Json } from './defaults.js';
import type { PathSegment } from './load.js';
import type { ComponentRef, EarlyStopping, ResolvedTraining } from './resolved-config.js';

/** A metric as the spec resolved it: its reference, where it is written, and its column and direction (unless refused). */
interface PlacedMetric {
  readonly ref: ComponentRef;
  readonly at: PathSegment[];
  readonly facts?: MetricFacts;
}

export class TrainingResolver extends ComponentResolver {
  /**
   * A role's training; `told` is the dataset's task, undefined when it could not be asked (see {@link task}),
   * `classes` its number of classes when the dataset definition knows it before reading data.
   */
  protected training(
    shared: Json,
    own: Json,
    at: PathSegment[],
    told: Task | undefined,
    classes?: number,
  ): ResolvedTraining {
    // Each key a role sets replaces the shared one whole (an optimizer is not merged key by key).
    const merged: Json = { ...TRAINING_DEFAULTS, ...shared, ...own };
    const where = (key: string): PathSegment[] => (key in own ? [...at, 'training', key] : ['training', key]);
    const task = told ?? 'classification';
    const metrics = Array.isArray(merged.metrics) ? merged.metrics : DEFAULT_METRICS[task];
    const placed = metrics.flatMap((m, i) => {
      const place = [...where('metrics'), i];
      const ref = this.component('metric', m, place, undefined, told);
      return ref ? [{ ref, at: place, facts: this.metricFacts(ref, place) }] : [];
    });
    this.checkMetricColumns(placed);
    if (told) this.checkMetricsFit(placed, { task: told, classes });
    const metricRefs = placed.map((p) => p.ref);
    const augment = Array.isArray(merged.augment)
      ? merged.augment.flatMap((a, i) => this.component('augmentation', a, [...where('augment'), i]) ?? [])
      : [];
    const optimizer = this.component('optimizer', merged.optimizer, where('optimizer'), DEFAULT_OPTIMIZER);
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
      optimizer: optimizer ?? { name: DEFAULT_OPTIMIZER, params: {} },
      loss: loss ?? { name: DEFAULT_LOSS[task], params: {} },
      metrics: metricRefs,
      logEvery: merged.log_every as number,
      evalEvery: merged.eval_every as number,
      lrDecay: merged.lr_decay as number,
      earlyStopping: this.earlyStopping(merged.early_stopping, placed, where('early_stopping'), guessed),
      // Only when set, so that the configs without one keep their keys.
      ...(augment.length > 0 ? { augment } : {}),
    };
  }

  /** A metric's column and direction for its params; undefined when its params were refused or its column is unusable. */
  private metricFacts(ref: ComponentRef, at: PathSegment[]): MetricFacts | undefined {
    const { definition } = this.registry.get('metric', ref.name);
    // A column made from params the schema refused would blame the metric for their problem.
    if (definition.kind !== 'metric' || this.refused.has(ref)) return undefined;
    const facts = this.guarded<MetricFacts | undefined>('metric', ref.name, 'naming its column', at, undefined, () =>
      metricFacts(definition, ref.params),
    );
    if (facts && !(typeof facts.column === 'string' && COLUMN.test(facts.column))) {
      this.report(at, invalidMetricColumn(ref.name, facts.column));
      return undefined;
    }
    return facts;
  }

  /** Two metrics writing one column would lose one value silently: each needs a column of its own. */
  private checkMetricColumns(placed: readonly PlacedMetric[]): void {
    const owner = new Map<string, string>();
    for (const { ref, at, facts } of placed) {
      if (!facts) continue;
      const first = owner.get(facts.column);
      if (first !== undefined) this.report(at, sharedMetricColumn(ref.name, facts.column, first));
      else owner.set(facts.column, ref.name);
    }
  }

  /** Asks each metric whether it can be computed on the dataset, with what the dataset definition tells before any data. */
  private checkMetricsFit(placed: readonly PlacedMetric[], dataset: MetricDatasetFacts): void {
    for (const { ref, at, facts } of placed) {
      const { definition } = this.registry.get('metric', ref.name);
      if (!facts || definition.kind !== 'metric' || !definition.checkDataset) continue;
      const check = definition.checkDataset as (params: unknown, facts: MetricDatasetFacts) => unknown;
      const why = this.guarded<unknown>('metric', ref.name, 'checking the dataset', at, undefined, () =>
        check(ref.params, dataset),
      );
      if (typeof why === 'string' && why !== '') this.report(at, metricDoesNotFit(ref.name, why));
    }
  }

  /** `early_stopping`, whose metric must be one the role records (as `val_<column>`). */
  private earlyStopping(
    value: unknown,
    metrics: readonly PlacedMetric[],
    at: PathSegment[],
    guessed: boolean,
  ): EarlyStopping | undefined {
    if (!isObject(value) || typeof value.metric !== 'string' || !value.metric.startsWith('val_')) return undefined;
    const patience = typeof value.patience === 'number' ? value.patience : DEFAULT_PATIENCE;
    // Unchecked (the spec is refused for the dataset's params), but still watching a validation split.
    if (guessed) return { metric: value.metric.slice(4), higherIsBetter: true, patience };
    const facts = metrics.flatMap((m) => (m.facts ? [m.facts] : []));
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
}
