// The process a run with --jobs starts for each worker: it loads the spec as `distil-run run` does and trains
// the cells its parent sends.
import { createRegistry, loadExperiment, serveRunWorker } from '../index.js';
import { dropOutputWhenClosed } from './closed-output.js';

// Its stderr is the parent's: a reader that goes away must not stop the worker either.
dropOutputWhenClosed();

serveRunWorker(async (spec) =>
  loadExperiment(spec.file, {
    registry: await createRegistry(),
    set: [...(spec.set ?? [])],
    grid: [...(spec.grid ?? [])],
    plugins: [...(spec.plugins ?? [])],
  }),
);
