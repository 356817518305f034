// Augmentation "flip": mirrors each image left to right with a probability (for clothes, not digits).
import { defineComponent } from '../../../registry/index.js';
import { remapImages } from './images.js';

export interface FlipParams {
  probability: number;
}

export default defineComponent<FlipParams>({
  kind: 'augmentation',
  name: 'flip',
  description:
    'Mirrors each image left to right with probability `probability` (Fashion-MNIST, photos; not digits, whose mirror images are other shapes)',
  params: {
    properties: {
      probability: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.5,
        description: 'The chance that an image is mirrored.',
      },
    },
  },
  create({ probability }) {
    return {
      apply: (images, seed) =>
        remapImages(images, seed, (random, { width }) => {
          const mirrored = random() < probability;
          return mirrored ? (y, x) => [y, width - 1 - x] : (y, x) => [y, x];
        }),
    };
  },
});
