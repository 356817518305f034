// Augmentation "crop": pads each image by `padding` pixels and cuts a random window of the original size.
import { defineComponent } from '../../../registry/index.js';
import { remapImages, uniformInt } from './images.js';

export interface CropParams {
  padding: number;
  padding_mode: 'constant' | 'reflect' | 'edge';
}

/** The input index a padded coordinate reads, by padding mode; undefined for the zeros of `constant`. */
function padded(index: number, size: number, mode: CropParams['padding_mode']): number | undefined {
  if (index >= 0 && index < size) return index;
  if (mode === 'constant') return undefined;
  if (mode === 'edge') return index < 0 ? 0 : size - 1;
  // reflect, without repeating the edge (-1 reads 1), as numpy's and torchvision's "reflect"; folded for
  // paddings wider than the image.
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const folded = ((index % period) + period) % period;
  return folded < size ? folded : period - folded;
}

export default defineComponent<CropParams>({
  kind: 'augmentation',
  name: 'crop',
  description:
    'Pads each image by `padding` pixels on every side and cuts a random window of the original size (torchvision RandomCrop with padding)',
  params: {
    properties: {
      padding: {
        type: 'integer',
        minimum: 1,
        maximum: 1024,
        default: 4,
        description: 'Pixels added on every side before the window is cut.',
      },
      padding_mode: {
        enum: ['constant', 'reflect', 'edge'],
        default: 'constant',
        description:
          'What the padding holds: 0 (constant), the image mirrored without its edge (reflect), or its edge repeated (edge).',
      },
    },
  },
  create({ padding, padding_mode: mode }) {
    return {
      apply: (images, seed) =>
        remapImages(images, seed, (random, { height, width }) => {
          // The window's top-left corner in the padded image.
          const top = uniformInt(random, 0, 2 * padding);
          const left = uniformInt(random, 0, 2 * padding);
          return (y, x) => {
            const sy = padded(y + top - padding, height, mode);
            const sx = padded(x + left - padding, width, mode);
            return sy === undefined || sx === undefined ? undefined : [sy, sx];
          };
        }),
    };
  },
});
