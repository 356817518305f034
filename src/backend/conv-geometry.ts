// The shape of one 2-D convolution (NHWC, HWIO filters) as the im2col kernels see it, and how to split a batch.
import { backend_util } from '@tensorflow/tfjs';

/** The attributes Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter share. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * A convolution of `batch` images `[inHeight, inWidth, inChannels]` with a filter
 * `[filterHeight, filterWidth, inChannels, outChannels]`. Its column matrix has one row per output pixel
 * (`batch * outHeight * outWidth`) and one column per filter tap and input channel (`patch`), so the
 * convolution is that matrix times the filter seen as `[patch, outChannels]`.
 */
export interface ConvGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
  /** Output pixels per image: rows of the column matrix per image. */
  readonly pixels: number;
  /** filterHeight * filterWidth * inChannels: columns of the column matrix. */
  readonly patch: number;
  /** The column matrix is the input itself (a 1x1 filter, stride 1, no padding): no im2col needed. */
  readonly pointwise: boolean;
}

const NHWC = (attrs: ConvAttrs) => attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC';
const ones = (value: number | number[] | undefined) =>
  value === undefined || (Array.isArray(value) ? value.every((v) => v === 1) : value === 1);

/**
 * The geometry of a convolution of input `xShape` and filter `filterShape` (as tfjs computes it), or
 * undefined for what the im2col kernels do not cover (NCHW, dilations, an empty tensor).
 */
export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
): ConvGeometry | undefined {
  if (xShape.length !== 4 || filterShape.length !== 4 || !NHWC(attrs) || !ones(attrs.dilations)) return undefined;
  if (xShape[3] !== filterShape[2]) return undefined;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const geometry: ConvGeometry = {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    pixels: info.outHeight * info.outWidth,
    patch: info.filterHeight * info.filterWidth * info.inChannels,
    pointwise:
      info.filterHeight === 1 &&
      info.filterWidth === 1 &&
      info.strideHeight === 1 &&
      info.strideWidth === 1 &&
      info.padInfo.top === 0 &&
      info.padInfo.left === 0 &&
      info.outHeight === info.inHeight &&
      info.outWidth === info.inWidth,
  };
  const sizes = [
    geometry.batch,
    geometry.pixels,
    geometry.patch,
    geometry.outChannels,
    geometry.inHeight * geometry.inWidth,
  ];
  return sizes.every((size) => size > 0) ? geometry : undefined;
}

/** The largest column buffer (float32 values) a kernel allocates at once by default: 4 MiB, which keeps a chunk in cache for sgemm. */
export const DEFAULT_COLUMN_LIMIT = 2 ** 20;
let columnLimit = DEFAULT_COLUMN_LIMIT;

/** Sets the largest column buffer in float32 values (tests force small chunks); undefined restores the default. */
export function setColumnLimit(values: number | undefined): void {
  columnLimit = values ?? DEFAULT_COLUMN_LIMIT;
}

/**
 * Rows (output pixels) per chunk for BLAS: it multiplies long thin matrices (the filter gradient's k is
 * the rows) several times faster in blocks of a couple of thousand rows (measured with OpenBLAS).
 */
export const BLAS_CHUNK_ROWS = 2048;

/**
 * Images per chunk so that one chunk's column matrix stays within the column limit and, when given,
 * about `rows` rows (at least one image per chunk, whatever its size).
 */
export function imagesPerChunk(geometry: ConvGeometry, rows = Infinity): number {
  const perImage = geometry.pixels * geometry.patch;
  return Math.max(1, Math.min(geometry.batch, Math.floor(columnLimit / perImage), Math.ceil(rows / geometry.pixels)));
}
