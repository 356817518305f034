// Augmentation of training batches: a role's `training.augment` list applied to each batch's images, seeded
// per epoch and batch, and the check that every cell's dataset has images to transform.
import * as tf from '@tensorflow/tfjs';
import { errorAugmentation, errorComponentResult } from '../errors/index.js';
import type { Augmentation, Dataset, Registry } from '../registry/index.js';
import type { ComponentRef } from '../config/index.js';
import type { Role } from '../shared/index.js';
import { ROLES, deriveSeed } from '../shared/index.js';
import type { DatasetCache } from './dataset-cache.js';
import type { PlannedCell } from './plan.js';
import { createComponent, describeValue } from './model.js';
import type { BatchAugmenter } from './train.js';

/** How a list of augmentations reads in logs and the manifest: `shift(pixels=2), flip(probability=0.5)`. */
export function describeAugment(refs: readonly ComponentRef[]): string {
  return refs
    .map((ref) => {
      const params = Object.entries(ref.params).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
      return params.length > 0 ? `${ref.name}(${params.join(', ')})` : ref.name;
    })
    .join(', ');
}

/**
 * The augmenter of a role's `augment` list, or undefined when the list is empty. Each augmentation of
 * each batch gets its own seed, from the role's seed, the epoch, the batch and its position in the list:
 * a run repeats, and no two batches are transformed alike.
 * @throws DistilError COMPONENT_RESULT when a plugin's augmentation is not `{ apply }` or returns another shape.
 */
export function createAugmenter(
  registry: Registry,
  refs: readonly ComponentRef[] | undefined,
  dataset: Dataset,
  seed: number,
  baseDir: string,
): BatchAugmenter | undefined {
  if (!refs || refs.length === 0) return undefined;
  const imageShape = dataset.imageShape;
  if (!imageShape) throw errorAugmentation([`${describeAugment(refs)} transform images, and the dataset has none`]);
  const [height, width, channels] = imageShape;
  const steps = refs.map((ref) => {
    const { plugin } = registry.get('augmentation', ref.name);
    const created = createComponent<Augmentation>(registry, 'augmentation', ref, { seed, baseDir });
    const fail = (problem: string) => errorComponentResult('augmentation', ref.name, plugin, problem);
    if (typeof created?.apply !== 'function') {
      throw fail(`create() must return { apply(images, seed) }, got ${describeValue(created)}`);
    }
    return { created, fail };
  });
  return (x, epoch, batch) =>
    tf.tidy(() => {
      const n = x.shape[0];
      let images = x.reshape([n, height, width, channels]) as tf.Tensor4D;
      steps.forEach(({ created, fail }, i) => {
        const out: unknown = created.apply(images, deriveSeed(seed, 'augment', epoch, batch, i));
        const shape = (out as tf.Tensor | undefined)?.shape;
        if (!Array.isArray(shape) || shape.join() !== images.shape.join()) {
          throw fail(
            `apply() must return a tensor of the images' shape [${images.shape.join(', ')}], got ${describeValue(out)}`,
          );
        }
        images = out as tf.Tensor4D;
      });
      return images.reshape([n, x.shape[1]]) as tf.Tensor2D;
    });
}

/** The roles of a cell that augment their training batches. */
export function augmentedRoles(planned: PlannedCell): Role[] {
  return ROLES.filter((role) => (planned.cell.config.models[role].training.augment ?? []).length > 0);
}

/**
 * Checks, before anything trains, that every cell that augments a role has images to transform.
 * @throws DistilError AUGMENTATION (exit 2) naming each cell and role.
 */
export async function assertAugmentationsFit(cells: readonly PlannedCell[], datasets: DatasetCache): Promise<void> {
  const problems: string[] = [];
  for (const planned of cells) {
    const roles = augmentedRoles(planned);
    if (roles.length === 0) continue;
    const { dataset } = await datasets.get(planned);
    if (dataset.imageShape) continue;
    const where = `cell ${planned.cell.id}${planned.label ? ` (${planned.label})` : ''}`;
    for (const role of roles) {
      const refs = planned.cell.config.models[role].training.augment ?? [];
      problems.push(
        `${where}, ${role}: ${describeAugment(refs)} transform images, and the dataset ${planned.cell.config.dataset.name} gives ${dataset.featureShape.join('x')} features without an image shape (remove training.augment, or use an image dataset)`,
      );
    }
  }
  if (problems.length > 0) throw errorAugmentation([...new Set(problems)]);
}
