// The layers' static shapes: output sizes of strided windows as tfjs computes them, and the size of a shape.

export type Padding = 'same' | 'valid';

/** One spatial dimension after a window of `size` moved by `stride`: `same` pads, `valid` does not. */
export function windowed(input: number, size: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(input / stride) : Math.max(0, Math.ceil((input - size + 1) / stride));
}

/** A size param given as one number or `[height, width]`, as a pair. */
export function pair(value: number | readonly number[]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/** `{ type: integer }` or a `[height, width]` pair of them, each from 1 to `maximum`. */
export function sizeSchema(description: string, maximum: number): Record<string, unknown> {
  const integer = { type: 'integer', minimum: 1, maximum };
  // A failed anyOf says only what x-expected says: without it, "must be one of the allowed forms".
  const expected = `an integer from 1 to ${maximum}, or a [height, width] pair of them`;
  const heightWidth = { type: 'array', items: integer, minItems: 2, maxItems: 2 };
  return { anyOf: [integer, heightWidth], description, 'x-expected': expected };
}

/** `[height, width, channels]` of an image input, or a message saying what the layer needs. */
export function imageDims(input: readonly number[], layer: string): [number, number, number] {
  if (input.length !== 3) throw new Error(`${layer} takes images [height, width, channels], got [${input.join(', ')}]`);
  return [input[0], input[1], input[2]];
}

/** How many values an example of shape `dims` holds. */
export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
