// manifest.json: what ran, on what, when, with which versions, so a results table can be trusted later.
import os from 'node:os';
import { commandLine, getVersion } from '../shared/index.js';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../backend/index.js';
import type { ResolvedConfig, ResolvedExperiment } from '../config/index.js';
import { ROLES } from '../shared/index.js';
import { describeAugment } from './augment.js';
import { describeTransfer } from './transfer.js';
import type { RunIdentity } from '../results/index.js';
import type { RunWriter } from '../results/index.js';
import { installedTfjsVersions } from '../backend/index.js';
import { CONFUSION_MISSING } from './resume.js';

export interface ManifestInput {
  readonly experiment: ResolvedExperiment;
  readonly runId: string;
  readonly backend: BackendInfo;
  readonly started: Date;
  readonly finished?: Date;
  readonly status: string;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly identity: RunIdentity;
  /** The selection stage's outcome: which search point won, on what, among which candidates. */
  readonly selection?: unknown;
  /** The manifest of the invocation this one resumes: its start time and attempts are kept. */
  readonly previous?: Readonly<Record<string, unknown>>;
  /** Where each dataset came from and how it was split (see DatasetCache.provenance). */
  readonly datasets?: readonly unknown[];
  /** Finished runs (`cell/seed`) kept without confusion rows: a version that wrote no confusion.csv finished them. */
  readonly confusionMissing?: readonly string[];
  /** The training step each role this invocation trained took, by `cell id/seed/role`. */
  readonly trainingSteps?: Readonly<Record<string, string>>;
}

/** The backend's own package: the one whose kernels did the arithmetic. */
const BACKEND_PACKAGE: Record<string, string> = {
  tensorflow: 'tfjs-node',
  wasm: 'tfjs-backend-wasm',
  cpu: 'tfjs-backend-cpu',
};

/** What this invocation changed in the spec file's experiment: `--set`, `--grid` and `--plugin`, as given. */
function overrides(experiment: ResolvedExperiment): Record<string, readonly string[]> {
  const { set, grid, plugins } = experiment.specOverrides;
  return { set, grid, plugins };
}

/** One invocation of the run (a resumed run has several). */
function attempt(input: ManifestInput): Record<string, unknown> {
  return {
    // As typed after the program name, and where: enough to run it again.
    command: commandLine(process.argv.slice(2)),
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    env: Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key.startsWith('DISTIL_') || key === 'XDG_CACHE_HOME'),
    ),
    overrides: overrides(input.experiment),
    started_at: input.started.toISOString(),
    finished_at: input.finished?.toISOString() ?? null,
    status: input.status,
    backend: input.backend.name,
  };
}

/**
 * What each role of a cell trains on, when it is not simply the training split: its augmentations, the
 * transfer set, and how the student gets the teacher's outputs (once, or per augmented batch).
 */
function trainingData(config: ResolvedConfig): Record<string, unknown> {
  const augment = Object.fromEntries(
    ROLES.flatMap((role) => {
      const refs = config.models[role].training.augment ?? [];
      return refs.length > 0 ? [[role, describeAugment(refs)]] : [];
    }),
  );
  const augmented = Object.keys(augment).length > 0;
  return {
    ...(augmented ? { augment } : {}),
    ...(config.transfer ? { transfer_set: describeTransfer(config.transfer) } : {}),
    ...(augmented ? { teacher_outputs: 'student' in augment ? 'per batch, on the augmented inputs' : 'once' } : {}),
  };
}

/** The training steps an earlier attempt of the run recorded. */
function earlierSteps(previous: ManifestInput['previous']): Record<string, string> {
  const steps = previous?.training_steps;
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) return {};
  return Object.fromEntries(Object.entries(steps).filter(([, step]) => typeof step === 'string'));
}

/** Writes (or rewrites) the run's manifest.json. */
export function writeManifest(writer: RunWriter, input: ManifestInput): void {
  const { experiment, backend, previous } = input;
  const earlier = Array.isArray(previous?.attempts) ? previous.attempts : [];
  const installed = installedTfjsVersions();
  const ownPackage = BACKEND_PACKAGE[backend.name];
  writer.writeManifest({
    distil_run: getVersion(),
    experiment: experiment.name,
    spec_file: experiment.file,
    // This invocation's; each attempt keeps its own (a resumed run may be given other flags for the same spec).
    overrides: overrides(experiment),
    run_id: input.runId,
    status: input.status,
    experiment_hash: input.identity.hash,
    metrics: input.identity.metrics,
    axes: input.identity.axes ?? [],
    started_at: typeof previous?.started_at === 'string' ? previous.started_at : input.started.toISOString(),
    finished_at: input.finished?.toISOString() ?? null,
    seconds: input.finished ? (input.finished.getTime() - input.started.getTime()) / 1000 : null,
    backend: {
      name: backend.name,
      requested: backend.requested,
      skipped: backend.skipped,
      kernels: backend.kernels,
      blas: backend.blas ?? null,
      blas_skipped: backend.blasSkipped ?? null,
      compiled_step: backend.compiledStep,
      // What auto timed when it could choose between tensorflow and wasm (null when it did not).
      timing: backend.timing
        ? {
            what: backend.timing.what,
            samples_per_sec: backend.timing.samplesPerSec,
            steps: backend.timing.steps,
            failed: backend.timing.failed ?? {},
            // Taken again from an earlier attempt of the run, untimed.
            reused: backend.timing.reused ?? false,
          }
        : null,
    },
    versions: { node: process.version, ...tf.version, ...installed },
    backend_package: ownPackage ? `@tensorflow/${ownPackage}@${installed[ownPackage] ?? 'unknown'}` : null,
    datasets: input.datasets ?? [],
    machine: {
      platform: process.platform,
      arch: process.arch,
      cpus: os.cpus().length,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
    },
    shard: input.shard ?? null,
    attempts: [...earlier, attempt(input)],
    selection: input.selection ?? null,
    // Only when there are some, so that the manifests of runs begun by this version are unchanged.
    ...(input.confusionMissing?.length ? { [CONFUSION_MISSING]: input.confusionMissing } : {}),
    seeds: [...new Set(experiment.cells.map((c) => c.config.seed))],
    plugins: experiment.plugins,
    cells: experiment.cells.map((c) => ({ id: c.id, overrides: c.overrides, ...trainingData(c.config) })),
    // Each role trained here or in an earlier attempt of the run (roles taken from the cache or another cell are not).
    training_steps: { ...earlierSteps(previous), ...input.trainingSteps },
    spec: experiment.spec,
    resolved: experiment.cells.map((c) => c.config),
  });
}
