// Augmentation "shift": a random translation of each image by up to `pixels` in each direction, zero fill.
import { defineComponent } from '../../../registry/index.js';
import { remapImages, uniformInt } from './images.js';

export interface ShiftParams {
  pixels: number;
}

export default defineComponent<ShiftParams>({
  kind: 'augmentation',
  name: 'shift',
  description:
    'Moves each image by a random whole number of pixels, up to `pixels` each way on each axis (uniform), filling with 0 (Hinton et al. 2012/2015 "jitter")',
  params: {
    properties: {
      pixels: {
        type: 'integer',
        minimum: 1,
        maximum: 1024,
        default: 2,
        description: 'The largest move along each axis: offsets are drawn from -pixels..pixels.',
      },
    },
  },
  create({ pixels }) {
    return {
      apply: (images, seed) =>
        remapImages(images, seed, (random, { height, width }) => {
          const dy = uniformInt(random, -pixels, pixels);
          const dx = uniformInt(random, -pixels, pixels);
          return (y, x) => {
            const sy = y - dy;
            const sx = x - dx;
            return sy >= 0 && sy < height && sx >= 0 && sx < width ? [sy, sx] : undefined;
          };
        }),
    };
  },
});
