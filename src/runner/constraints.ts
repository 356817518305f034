// The weight constraints of a model's layers (max_norm), applied after each optimizer step as Keras does.
import * as tf from '@tensorflow/tfjs';

type Constraint = NonNullable<tf.LayerVariable['constraint']>;

/** A constrained weight: tfjs's layer variable and its constraint. */
interface ConstrainedWeight {
  readonly weight: tf.LayerVariable;
  readonly constraint: Constraint;
}

/** Per built model, its constrained weights: found once (a model's weights do not change after it is built). */
const constrainedByModel = new WeakMap<tf.LayersModel, readonly ConstrainedWeight[]>();

function constrainedWeights(model: tf.LayersModel): readonly ConstrainedWeight[] {
  let found = constrainedByModel.get(model);
  if (!found) {
    // Read generically from tfjs's layer variables: a plugin layer built with a tfjs constraint is honoured too.
    found = model.weights.flatMap((weight) => (weight.constraint ? [{ weight, constraint: weight.constraint }] : []));
    if (model.built) constrainedByModel.set(model, found);
  }
  return found;
}

/**
 * Projects each trainable constrained weight of `model` back into its constraint (a max-norm: each unit's
 * incoming weights to an L2 norm of at most c), as Keras does after every optimizer step. Neither tfjs's
 * optimizers nor distil-run's fused ones apply layer constraints, so the training step calls this after
 * the update, whichever optimizer made it. Nothing is done for a model without constraints.
 */
export function applyConstraints(model: tf.LayersModel): void {
  const weights = constrainedWeights(model);
  for (const { weight, constraint } of weights) {
    // A frozen weight is not updated, so it is left as it is (the projection is not exactly idempotent).
    if (!weight.trainable) continue;
    const variable = weight.read() as tf.Variable;
    tf.tidy(() => variable.assign(constraint.apply(variable)));
  }
}

/**
 * Sets `model`'s weights to `weights` (in getWeights() order) as they are. tfjs's setWeights applies each
 * layer's constraint again as it writes a weight, and a max-norm projection is not idempotent (it scales
 * by norm / (norm + 1e-7)), so a copy of a trained model (a checkpoint, a cached teacher, early stopping's
 * best epoch) would differ from it in the last bits. Without constraints this is model.setWeights.
 */
export function setWeightsAsGiven(model: tf.LayersModel, weights: readonly tf.Tensor[]): void {
  const variables = model.weights;
  const fits =
    variables.length === weights.length && variables.every((v, i) => v.shape.join() === weights[i].shape.join());
  // A mismatch is refused by setWeights, with tfjs's message.
  if (!fits || constrainedWeights(model).length === 0) {
    model.setWeights([...weights]);
    return;
  }
  variables.forEach((variable, i) => (variable.read() as tf.Variable).assign(weights[i]));
}
