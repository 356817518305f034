// A role's model loaded from a saved TensorFlow.js layers model (`load:`), checked against the dataset.
import * as tf from '@tensorflow/tfjs';
import { errorSavedModel } from '../errors/index.js';
import type { Dataset } from '../registry/index.js';
import { loadSavedModel } from '../results/index.js';

const product = (dims: ReadonlyArray<number | null>) => dims.reduce((a: number, b) => a * (b ?? 1), 1);

/**
 * Loads the model a role's `load:` names and makes it take the dataset's examples: a model whose input
 * is an image (`[28, 28, 1]`) gets the flat examples reshaped in front of it.
 * @throws DistilError SAVED_MODEL_ERROR (exit 2) for missing or damaged files, a model whose input or
 *   output does not fit the dataset, or one that ends in a softmax (distil-run trains and distils logits).
 */
export async function loadRoleModel(file: string, dataset: Dataset): Promise<tf.LayersModel> {
  const { model } = await loadSavedModel(file);
  try {
    const input = model.inputs[0].shape.slice(1);
    const features = product(dataset.featureShape);
    if (product(input) !== features) {
      throw errorSavedModel(
        file,
        `takes inputs of shape [${input.join(', ')}], the dataset gives ${features} features${dataset.imageShape ? ` ([${dataset.imageShape.join(', ')}] images)` : ''}`,
        'load a model made for this dataset',
      );
    }
    const outputs = model.outputs[0].shape[model.outputs[0].shape.length - 1];
    if (outputs !== dataset.outputSize) {
      throw errorSavedModel(
        file,
        `gives ${outputs} output(s), the dataset has ${dataset.outputSize} ${dataset.task === 'classification' ? 'classes' : 'target'}`,
        'load a model made for this dataset',
      );
    }
    const last = model.layers[model.layers.length - 1].getConfig() as { activation?: string };
    if (last.activation === 'softmax') {
      throw errorSavedModel(
        file,
        'its last layer applies a softmax',
        'distil-run trains and distils logits: save the model without the final softmax (a linear last layer)',
      );
    }
    if (input.length === 1) return model;
    // The splits hold flat examples: shape them as the model's input before it.
    return tf.sequential({
      layers: [tf.layers.reshape({ targetShape: input as number[], inputShape: [features] }), model],
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
}
