// The command that repeats a single-seed run over seeds: the run's own arguments, quoted as a shell reads them back.
import { assert } from 'chai';
import { argsOverSeeds, commandLine, commandOverSeeds, shellWord } from '../../src/shared/command-line.js';

describe('command lines', () => {
  it('quotes a word only when a shell would read it otherwise', () => {
    assert.equal(shellWord('experiments/mnist.yaml'), 'experiments/mnist.yaml');
    assert.equal(shellWord('training.epochs=1'), 'training.epochs=1');
    assert.equal(shellWord('seeds=[1,2,3,4,5]'), "'seeds=[1,2,3,4,5]'");
    assert.equal(shellWord("name=it's"), "'name=it'\\''s'");
    assert.equal(commandLine(['a b.yaml']), "distil-run 'a b.yaml'");
  });

  it("repeats a run over five seeds: the same arguments, without its run id or its seed, with --set 'seeds=[1,2,3,4,5]'", () => {
    const cases: Array<[string[], string[]]> = [
      [['experiments/mnist.yaml'], ['experiments/mnist.yaml', '--set', 'seeds=[1,2,3,4,5]']],
      [
        ['experiments/mnist.yaml', '--set', 'training.epochs=1', '--set', 'dataset.train_limit=5000'],
        [
          'experiments/mnist.yaml',
          '--set',
          'training.epochs=1',
          '--set',
          'dataset.train_limit=5000',
          '--set',
          'seeds=[1,2,3,4,5]',
        ],
      ],
      // The run id names a directory that holds the one-seed experiment: a new run gets its own.
      [
        ['run', 'x.yaml', '--run-id', 'r1', '--out', 'o'],
        ['run', 'x.yaml', '--out', 'o', '--set', 'seeds=[1,2,3,4,5]'],
      ],
      [
        ['x.yaml', '--run-id=r1'],
        ['x.yaml', '--set', 'seeds=[1,2,3,4,5]'],
      ],
      // A seed given on the command line is replaced (beside seeds it would be refused).
      [
        ['x.yaml', '--set', 'seed=7', '--set=seeds=[3]', '--set', 'models.teacher.seed=2'],
        ['x.yaml', '--set', 'models.teacher.seed=2', '--set', 'seeds=[1,2,3,4,5]'],
      ],
      // After `--` every argument is a file: the flag goes before it.
      [
        ['--plain', '--', '-odd.yaml'],
        ['--plain', '--set', 'seeds=[1,2,3,4,5]', '--', '-odd.yaml'],
      ],
    ];
    assert.equal(cases.length, 6);
    for (const [args, expected] of cases) assert.deepEqual(argsOverSeeds(args), expected, args.join(' '));
    assert.equal(
      commandOverSeeds(['experiments/mnist.yaml', '--set', 'training.epochs=1']),
      "distil-run experiments/mnist.yaml --set training.epochs=1 --set 'seeds=[1,2,3,4,5]'",
    );
  });
});
