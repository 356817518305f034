// Loss "cross-entropy": softmax cross-entropy on the true labels.
import { defineComponent } from '../../../registry/index.js';
import { softmaxCrossEntropy } from './loss-math.js';
import { crossEntropyBatch } from './row-losses.js';

export default defineComponent({
  kind: 'loss',
  name: 'cross-entropy',
  description: 'Softmax cross-entropy on the true labels (classification)',
  tasks: ['classification'],
  params: { properties: {} },
  create() {
    return { compute: (prediction, target) => softmaxCrossEntropy(prediction, target), rows: crossEntropyBatch };
  },
});
