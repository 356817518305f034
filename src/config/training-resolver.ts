// Resolves a role's training: the shared settings and the role's own merged over the schema's defaults, its
// optimizer, label loss and metrics, and early stopping on a metric the role records.
import { distillationAsLoss, sharedMetricColumn, unrecordedMetric } from '../errors/index.js';
import { metricFacts } from '../registry/index.js';
import type { Task } from '../shared/index.js';
import { ComponentResolver, isObject } from './component-resolver.js';
import { DEFAULT_LOSS, DEFAULT_METRICS, DEFAULT_OPTIMIZER, DEFAULT_PATIENCE, TRAINING_DEFAULTS } from './defaults.js';
import type { Json } from './defaults.js';
import type { PathSegment } from './load.js';
import type { ComponentRef, EarlyStopping, ResolvedTraining } from './resolved-config.js';

export class TrainingResolver extends ComponentResolver {
  /** A role's training; `told` is the dataset's task, undefined when it could not be asked (see {@link task}). */
  protected training(shared: Json, own: Json, at: PathSegment[], told: Task | undefined): ResolvedTraining {
    // Each key a role sets replaces the shared one whole (an optimizer is not merged key by key).
    const merged: Json = { ...TRAINING_DEFAULTS, ...shared, ...own };
    const where = (key: string): PathSegment[] => (key in own ? [...at, 'training', key] : ['training', key]);
    const task = told ?? 'classification';
    const metrics = Array.isArray(merged.metrics) ? merged.metrics : DEFAULT_METRICS[task];
    const metricRefs = metrics.flatMap(
      (m, i) => this.component('metric', m, [...where('metrics'), i], undefined, told) ?? [],
    );
    this.checkMetricColumns(metricRefs, metrics, where('metrics'));
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
      earlyStopping: this.earlyStopping(merged.early_stopping, metricRefs, where('early_stopping'), guessed),
      // Only when set, so that the configs without one keep their keys.
      ...(augment.length > 0 ? { augment } : {}),
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
}
