// The built-in plugin: every component distil-run ships, registered like a user's plugin.
import { definePlugin } from '../../registry/index.js';
import type { ComponentDefinition } from '../../registry/index.js';
import californiaHousing from './datasets/california-housing.js';
import csv from './datasets/csv.js';
import idx from './datasets/idx.js';
import mnist from './datasets/mnist.js';
import fashionMnist from './datasets/fashion-mnist.js';
import dense from './layers/dense.js';
import dropout from './layers/dropout.js';
import conv2d from './layers/conv2d.js';
import maxPool from './layers/max-pool.js';
import avgPool from './layers/avg-pool.js';
import globalAvgPool from './layers/global-avg-pool.js';
import flatten from './layers/flatten.js';
import reshape from './layers/reshape.js';
import batchNorm from './layers/batch-norm.js';
import shift from './augmentations/shift.js';
import crop from './augmentations/crop.js';
import flip from './augmentations/flip.js';
import crossEntropy from './losses/cross-entropy.js';
import kd from './losses/kd.js';
import dkd from './losses/dkd.js';
import dist from './losses/dist.js';
import fitnet from './losses/fitnet.js';
import pkt from './losses/pkt.js';
import rkd from './losses/rkd.js';
import sp from './losses/sp.js';
import at from './losses/at.js';
import mse from './losses/mse.js';
import softMse from './losses/soft-mse.js';
import accuracy from './metrics/accuracy.js';
import classAccuracy from './metrics/class-accuracy.js';
import errors from './metrics/errors.js';
import f1 from './metrics/f1.js';
import precision from './metrics/precision.js';
import recall from './metrics/recall.js';
import topKAccuracy from './metrics/top-k-accuracy.js';
import loss from './metrics/loss.js';
import mseMetric from './metrics/mse.js';
import rmse from './metrics/rmse.js';
import mae from './metrics/mae.js';
import r2 from './metrics/r2.js';
import adam from './optimizers/adam.js';
import rmsprop from './optimizers/rmsprop.js';
import sgd from './optimizers/sgd.js';

const components = [
  mnist,
  fashionMnist,
  idx,
  csv,
  californiaHousing,
  dense,
  dropout,
  conv2d,
  maxPool,
  avgPool,
  globalAvgPool,
  flatten,
  reshape,
  batchNorm,
  shift,
  crop,
  flip,
  crossEntropy,
  kd,
  dkd,
  dist,
  fitnet,
  pkt,
  rkd,
  sp,
  at,
  mse,
  softMse,
  accuracy,
  classAccuracy,
  errors,
  f1,
  precision,
  recall,
  topKAccuracy,
  loss,
  mseMetric,
  rmse,
  mae,
  r2,
  sgd,
  adam,
  rmsprop,
] as ComponentDefinition<never>[];

export const builtinPlugin = definePlugin({ name: 'builtin', components });
