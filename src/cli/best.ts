// `distil-run best <run dir>`: the winning cell per role by a metric (mean over seeds), or by the student's paired gain.
import { createRegistry, findBest } from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';

async function best(files: readonly string[], values: Values): Promise<number> {
  const registry = await createRegistry({ plugins: values.plugin });
  const found = findBest(files[0], {
    metric: values.metric,
    role: values.role,
    higherIsBetter: (metric) => registry.higherIsBetter(metric),
  });
  process.stdout.write(`${found.text}\n`);
  process.stderr.write(found.notes.map((line) => `${line}\n`).join(''));
  return 0;
}

export const bestCommand: Command = {
  name: 'best',
  usage: 'best <run dir> [--metric M|gain] [--role R]',
  summary: "the winning cell per role by a metric (mean over seeds), or the student's by its paired gain",
  section: 'Best options',
  files: { min: 1, max: 1, expected: 'one run directory' },
  flags: {
    metric: {
      help: [
        'test_<metric> or val_<metric> (a bare name means test_); default the first test metric that is not the loss;',
        "gain: the student's paired gain over the person (mean ± 95% interval, p), higher is better",
      ],
    },
    role: { help: 'only teacher, student or person' },
    plugin: { help: "load a plugin (repeatable): its metrics' directions" },
  },
  run: best,
};
