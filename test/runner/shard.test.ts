// --shard auto: index and count from Kubernetes, Slurm or DISTIL_SHARD_* variables, and every refusal's exact text.
import { assert } from 'chai';
import { DistilError } from '../../src/errors/index.js';
import { resolveShard } from '../../src/runner/shard.js';
import type { ShardEnvironment } from '../../src/runner/shard.js';
import { assertRefused, distilRun, fixture } from '../cli-harness.js';

/** The shard, or the message of the refusal (always exit 2). */
function shard(flag: string, env: ShardEnvironment): unknown {
  try {
    return resolveShard(flag, env);
  } catch (error) {
    if (!(error instanceof DistilError)) throw error;
    assert.equal(error.exitCode, 2);
    return error.message;
  }
}

const LOOKED_FOR =
  'JOB_COMPLETION_INDEX (Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID (Slurm job array) or DISTIL_SHARD_INDEX (CI matrix, 1-based, with DISTIL_SHARD_COUNT)';

const cases: Array<{ title: string; flag: string; env: ShardEnvironment; expected: unknown }> = [
  {
    title: 'a Kubernetes Indexed Job, the count from auto/N',
    flag: 'auto/4',
    env: { JOB_COMPLETION_INDEX: '0' },
    expected: {
      index: 1,
      count: 4,
      source: 'Kubernetes Indexed Job (JOB_COMPLETION_INDEX=0; count from --shard auto/4)',
    },
  },
  {
    title: 'a Kubernetes Indexed Job, the count from DISTIL_SHARD_COUNT',
    flag: 'auto',
    env: { JOB_COMPLETION_INDEX: '3', DISTIL_SHARD_COUNT: '4' },
    expected: {
      index: 4,
      count: 4,
      source: 'Kubernetes Indexed Job (JOB_COMPLETION_INDEX=3; count from DISTIL_SHARD_COUNT=4)',
    },
  },
  {
    title: 'a Slurm array from 0, sized by MIN and MAX',
    flag: 'auto',
    env: { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3' },
    expected: {
      index: 3,
      count: 4,
      source:
        'Slurm job array (SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_MIN=0, SLURM_ARRAY_TASK_MAX=3; count from SLURM_ARRAY_TASK_MIN..MAX (0..3))',
    },
  },
  {
    title: 'a Slurm array from 1 with a step and a count that agree',
    flag: 'auto/3',
    env: {
      SLURM_ARRAY_TASK_ID: '5',
      SLURM_ARRAY_TASK_MIN: '1',
      SLURM_ARRAY_TASK_MAX: '9',
      SLURM_ARRAY_TASK_STEP: '4',
      SLURM_ARRAY_TASK_COUNT: '3',
    },
    expected: {
      index: 2,
      count: 3,
      source:
        'Slurm job array (SLURM_ARRAY_TASK_ID=5, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_MAX=9, SLURM_ARRAY_TASK_STEP=4, SLURM_ARRAY_TASK_COUNT=3; count from --shard auto/3)',
    },
  },
  {
    title: 'a Slurm array with only a count',
    flag: 'auto',
    env: { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' },
    expected: {
      index: 1,
      count: 2,
      source: 'Slurm job array (SLURM_ARRAY_TASK_ID=0, SLURM_ARRAY_TASK_COUNT=2; count from SLURM_ARRAY_TASK_COUNT=2)',
    },
  },
  {
    title: 'a CI matrix (1-based)',
    flag: 'auto',
    env: { DISTIL_SHARD_INDEX: '2', DISTIL_SHARD_COUNT: '3', JOB_COMPLETION_INDEX: '' },
    expected: { index: 2, count: 3, source: 'CI matrix (DISTIL_SHARD_INDEX=2; count from DISTIL_SHARD_COUNT=3)' },
  },
  {
    title: 'I/N as before, the environment ignored',
    flag: '2/5',
    env: { JOB_COMPLETION_INDEX: '0' },
    expected: { index: 2, count: 5 },
  },
  {
    title: 'nothing in the environment',
    flag: 'auto',
    env: { DISTIL_SHARD_COUNT: '3' },
    expected: `--shard auto: no shard index in the environment: looked for ${LOOKED_FOR} (give --shard I/N instead)`,
  },
  {
    title: 'an index without a count',
    flag: 'auto',
    env: { JOB_COMPLETION_INDEX: '1' },
    expected:
      '--shard auto: JOB_COMPLETION_INDEX=1 (Kubernetes Indexed Job) gives the shard index but not the count (use --shard auto/N, or set DISTIL_SHARD_COUNT=N, with N the number of shards)',
  },
  {
    title: 'two batch systems at once',
    flag: 'auto/2',
    env: { JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' },
    expected:
      '--shard auto/2: several shard indices in the environment: JOB_COMPLETION_INDEX=1, SLURM_ARRAY_TASK_ID=1 (unset the ones that do not apply, or give --shard I/N)',
  },
  {
    title: 'auto/N and DISTIL_SHARD_COUNT that disagree',
    flag: 'auto/4',
    env: { JOB_COMPLETION_INDEX: '1', DISTIL_SHARD_COUNT: '3' },
    expected:
      '--shard auto/4: the shard count is 4 by --shard auto/4 but 3 by DISTIL_SHARD_COUNT=3 (make them agree, or leave one out)',
  },
  {
    title: "a Slurm count that disagrees with the array's range",
    flag: 'auto',
    env: {
      SLURM_ARRAY_TASK_ID: '1',
      SLURM_ARRAY_TASK_MIN: '0',
      SLURM_ARRAY_TASK_MAX: '9',
      SLURM_ARRAY_TASK_COUNT: '3',
    },
    expected:
      '--shard auto: the shard count is 3 by SLURM_ARRAY_TASK_COUNT=3 but 10 by SLURM_ARRAY_TASK_MIN..MAX (0..9) (make them agree, or leave one out)',
  },
  {
    title: 'a Slurm task outside its array',
    flag: 'auto',
    env: { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4' },
    expected:
      "--shard auto: SLURM_ARRAY_TASK_ID=5, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_MAX=4: the task id is not one of the array's tasks (submit with --array=0-N)",
  },
  {
    title: 'an index past the count',
    flag: 'auto/3',
    env: { JOB_COMPLETION_INDEX: '3' },
    expected:
      '--shard auto/3: JOB_COMPLETION_INDEX=3 is shard 4, but there are 3 shard(s) by --shard auto/3 (make the count the number of tasks)',
  },
  {
    title: 'a 1-based index of 0',
    flag: 'auto',
    env: { DISTIL_SHARD_INDEX: '0', DISTIL_SHARD_COUNT: '2' },
    expected: '--shard auto: DISTIL_SHARD_INDEX="0" is not a whole number >= 1',
  },
  {
    title: 'an index that is not a number',
    flag: 'auto/2',
    env: { JOB_COMPLETION_INDEX: 'one' },
    expected: '--shard auto/2: JOB_COMPLETION_INDEX="one" is not a whole number',
  },
  {
    title: 'a malformed auto/N',
    flag: 'auto/0',
    env: { JOB_COMPLETION_INDEX: '0' },
    expected: '--shard auto/0: expected auto or auto/N with N >= 1 the number of shards, got "auto/0"',
  },
  {
    title: 'a count from auto/N past 10000',
    flag: 'auto/10001',
    env: { JOB_COMPLETION_INDEX: '0' },
    expected:
      '--shard auto/10001: the shard count is 10001 by --shard auto/10001; at most 10000 shards are allowed (a grid has at most 10000 cells)',
  },
  {
    title: 'a count from DISTIL_SHARD_COUNT past 10000',
    flag: 'auto',
    env: { DISTIL_SHARD_INDEX: '1', DISTIL_SHARD_COUNT: '10001' },
    expected:
      '--shard auto: the shard count is 10001 by DISTIL_SHARD_COUNT=10001; at most 10000 shards are allowed (a grid has at most 10000 cells)',
  },
];

describe('--shard auto', () => {
  for (const { title, flag, env, expected } of cases) {
    it(`${typeof expected === 'string' ? 'refuses' : 'reads'} ${title}`, () => {
      assert.deepEqual(shard(flag, env), expected);
    });
  }
});

describe('--shard auto on the command line', () => {
  it('says on stderr where the shard came from, and plans that shard', () => {
    const result = distilRun(
      [fixture('mnist-small.yaml'), '--dry-run', '--shard', 'auto/2', '--grid', 'distillation.alpha=[0.9, 0.5, 0.1]'],
      { env: { JOB_COMPLETION_INDEX: '1' } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stderr,
      'shard 2/2 from Kubernetes Indexed Job (JOB_COMPLETION_INDEX=1; count from --shard auto/2)\n',
    );
    assert.equal(
      result.stdout.split('\n')[0],
      'experiment mnist-small: 1 cell(s) to run (1 grid point(s) x 1 seed(s)) (shard 2/2)',
    );
  });

  it('refuses with exit 2 when the environment has no index', () => {
    const env = { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '', DISTIL_SHARD_INDEX: '' };
    assertRefused(
      distilRun([fixture('mnist-small.yaml'), '--dry-run', '--shard', 'auto'], { env }),
      2,
      `distil-run: --shard auto: no shard index in the environment: looked for ${LOOKED_FOR} (give --shard I/N instead)\n`,
    );
  });

  it('validate reads the flag as the run does: auto is left to the run, a malformed auto/N is refused in the same words', () => {
    const env = { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: '', DISTIL_SHARD_INDEX: '' };
    const valid = distilRun(['validate', fixture('mnist-small.yaml'), '--shard', 'auto/3'], { env });
    assert.equal(valid.stdout, `${fixture('mnist-small.yaml')}: valid (1 cell(s))\n`);
    assert.equal(valid.code, 0, valid.stderr);
    const message =
      'distil-run: --shard auto/0: expected auto or auto/N with N >= 1 the number of shards, got "auto/0"\n';
    assertRefused(distilRun(['validate', fixture('mnist-small.yaml'), '--shard', 'auto/0'], { env }), 2, message);
    assertRefused(distilRun([fixture('mnist-small.yaml'), '--dry-run', '--shard', 'auto/0'], { env }), 2, message);
  });
});
