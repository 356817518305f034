// --jobs: how many worker processes a run asks for, and how the cores are shared among them.
import { availableParallelism } from 'node:os';
import { errorInvalidArgument } from '../errors/index.js';

/** `--jobs`: a number of worker processes, or `auto` (one per core). */
export type JobsRequest = number | 'auto';

/** The most worker processes a run starts: each holds its own copy of the data. */
export const MAX_JOBS = 256;

/** The number of workers a request asks for: `auto` is the machine's cores. */
export function jobsOf(request: JobsRequest | undefined): number {
  if (request === undefined) return 1;
  return request === 'auto' ? availableParallelism() : request;
}

/**
 * Checks `--jobs`: a whole number from 1, or `auto`.
 * @throws DistilError INVALID_ARGUMENT naming the flag.
 */
export function parseJobs(text: string): JobsRequest {
  if (text === 'auto') return 'auto';
  const jobs = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) {
    throw errorInvalidArgument(
      '--jobs',
      `expected a whole number of worker processes from 1 to ${MAX_JOBS}, or auto (one per core), got "${text}"`,
    );
  }
  return jobs;
}

/** The BLAS threads each of `workers` processes may use, so that together they use the cores once. */
export function blasThreadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}
