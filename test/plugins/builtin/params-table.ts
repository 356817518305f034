// A built-in component's params as a table: specs that set them, what they resolve to, and the exact message for each refused.
import { assert } from 'chai';
import { resolveExperiment } from '../../../src/config/experiment.js';
import { parseSpecSource } from '../../../src/config/load.js';
import type { ComponentRef, ResolvedConfig } from '../../../src/config/resolved-config.js';
import type { ComponentKind } from '../../../src/registry/types.js';
import type { Task } from '../../../src/shared/types.js';
import { builtinRegistry } from '../../helpers.js';
import { specProblems } from '../../config/spec-problems.js';

/** Where in the spec a table writes its component. */
export type Slot = 'dataset' | 'layer' | 'augmentation' | 'optimizer' | 'loss' | 'metric' | 'distillation';

/** The line a slot writes its component on and the text before it: a message's column counts from there. */
const SLOTS: Record<Slot, { line: number; before: string; after?: string }> = {
  dataset: { line: 2, before: 'dataset: ' },
  layer: { line: 4, before: '  teacher: { layers: [', after: '] }' },
  optimizer: { line: 7, before: '  optimizer: ' },
  augmentation: { line: 8, before: '  augment: [', after: ']' },
  loss: { line: 8, before: '  loss: ' },
  metric: { line: 8, before: '  metrics: [', after: ']' },
  distillation: { line: 8, before: 'distillation: ' },
};

/**
 * The spec of a table case: `component` (YAML, one line) in its slot, everything else small and valid.
 *
 *   1 name: params
 *   2 dataset: mnist                  dataset: column 10 (california-housing for a regression table)
 *   3 models:
 *   4   teacher: { layers: [4] }      layer: column 23
 *   5   student: { layers: [2] }
 *   6 training:
 *   7   optimizer: adam               optimizer: column 14
 *   8   loss: ... | metrics: [...]    loss: column 9, metric: column 13
 *   8   augment: [...]                augmentation: column 13
 *   8 distillation: ...               distillation: column 15
 */
export function specWith(slot: Slot, component: string, task: Task = 'classification'): string {
  const lines = [
    'name: params',
    `dataset: ${task === 'regression' ? 'california-housing' : 'mnist'}`,
    'models:',
    '  teacher: { layers: [4] }',
    '  student: { layers: [2] }',
    'training:',
    '  optimizer: adam',
  ];
  const { line, before, after = '' } = SLOTS[slot];
  lines[line - 1] = `${before}${component}${after}`;
  return `${lines.join('\n')}\n`;
}

/** The component a slot resolved to. */
function resolvedAt(slot: Slot, config: ResolvedConfig): ComponentRef | undefined {
  const { training, layers } = config.models.teacher;
  return {
    dataset: config.dataset,
    layer: layers[0],
    augmentation: training.augment?.[0],
    optimizer: training.optimizer,
    loss: training.loss,
    metric: training.metrics[0],
    distillation: config.distillation,
  }[slot];
}

export interface ParamsTable {
  readonly slot: Slot;
  /** The dataset's task, for components of regression only. @default 'classification' */
  readonly task?: Task;
  /** The component as written in the spec, and the params it resolves to (defaults filled). */
  readonly valid: ReadonlyArray<readonly [component: string, params: Record<string, unknown>]>;
  /** The component as written in the spec, and every message the spec is refused with. */
  readonly invalid: ReadonlyArray<readonly [component: string, ...messages: string[]]>;
  /** The component where it may not go: a slot it does not fill, or a dataset of a task it is not for. */
  readonly misplaced?: readonly Misplaced[];
  /** Rows distil-run gets wrong outside the component, pinned as they are: each fails once its defect is fixed. */
  readonly defects?: readonly Defect[];
}

/** The component in another slot or for another task than its table's, and every message the spec is refused with. */
export interface Misplaced {
  /** @default the table's slot */
  readonly slot?: Slot;
  /** @default the table's task */
  readonly task?: Task;
  readonly component: string;
  readonly messages: readonly string[];
}

/** A known defect: what the spec gets today (`now`), and what is wrong with that. */
export interface Defect {
  /** @default the table's slot */
  readonly slot?: Slot;
  readonly component: string;
  readonly defect: string;
  /** The messages today; [] when the spec is accepted. */
  readonly now: readonly string[];
}

/**
 * One `it` per row: each valid component resolves to its params, each invalid one gets exactly its messages,
 * each known defect still behaves as pinned.
 */
export function describeParams(kind: ComponentKind, name: string, table: ParamsTable): void {
  const { slot, task, valid, invalid } = table;
  describe(`${kind} ${name}: params${task ? ` (${task} dataset)` : ''}`, () => {
    it('has valid and invalid rows', () => {
      assert.isAbove(valid.length, 0);
      assert.isAbove(invalid.length, 0);
    });
    for (const [component, params] of valid) {
      it(`accepts ${component}`, async () => {
        const source = parseSpecSource(specWith(slot, component, task), 'spec.yaml');
        const { experiment } = await resolveExperiment(source, { registry: builtinRegistry() });
        assert.lengthOf(experiment.cells, 1);
        assert.deepEqual(resolvedAt(slot, experiment.cells[0].config), { name, params });
      });
    }
    for (const [component, ...messages] of invalid) {
      it(`refuses ${component}`, async () => {
        assert.isAbove(messages.length, 0, 'a refused row lists its messages');
        assert.deepEqual(await specProblems(specWith(slot, component, task)), messages);
      });
    }
    for (const { slot: at = slot, task: of = task, component, messages } of table.misplaced ?? []) {
      it(`refuses ${component} in ${at}${of ? ` for ${of}` : ''}`, async () => {
        assert.isAbove(messages.length, 0, 'a refused row lists its messages');
        assert.deepEqual(await specProblems(specWith(at, component, of)), [...messages]);
      });
    }
    for (const { slot: at = slot, component, defect, now } of table.defects ?? []) {
      it(`known defect: ${component} in ${at}: ${defect}`, async () => {
        const message =
          'fixed? then this row is no longer a defect: move it to valid or invalid with what a user should see';
        assert.deepEqual(await specProblems(specWith(at, component, task)), [...now], message);
      });
    }
  });
}
