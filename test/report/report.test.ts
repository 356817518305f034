// report.html from real runs (in process, synthetic blobs): one <svg> per chart, offline, and bad run directories refused.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from 'chai';
import { loadExperiment } from '../../src/config/experiment.js';
import { DistilError } from '../../src/errors/index.js';
import { builtinPlugin } from '../../src/plugins/builtin/index.js';
import { Registry } from '../../src/registry/registry.js';
import { reportAfterRun } from '../../src/report/after-run.js';
import { writeFailureFix, writeReport } from '../../src/report/report.js';
import { assertErrorMessage, messagePattern, useWasm } from '../helpers.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { testPlugin } from '../runner/blobs.js';
import { grid2, methodCells, methodGain, runBlobs, SEEDLESS, SPEC, writeRun } from './fixtures.js';

/** The figures of a report page: each chart's id and its markup. */
function figures(html: string): { id: string; body: string }[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({
    id: m[1],
    body: m[2],
  }));
}

/** What a report must be to open offline: no script, no stylesheet or image fetched, every chart inline. */
function assertOffline(html: string): void {
  assert.notMatch(html, /<script|<link|<img|<iframe|@import/i);
  assert.notMatch(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]+"/g, ''), /(src|href)="?(https?:)?\/\//i);
}

/** Runs `action` and returns the DistilError it throws. */
async function refusal(action: () => Promise<unknown>): Promise<DistilError> {
  const error = await action().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instanceOf(error, DistilError);
  return error as DistilError;
}

describe('report.html', () => {
  before(useWasm);

  it('a seeded sweep over two axes: the roles table and one <svg> per chart (gain heat map, parameters, confusion, learning curves)', async () => {
    const dir = await runBlobs(
      `${SEEDLESS}seeds: [1, 2]\ngrid:\n  distillation.temperature: [1, 4]\n  distillation.alpha: [0.3, 0.7]\n`,
    );
    const report = await writeReport(dir);
    assert.equal(report.file, path.join(dir, 'report.html'));
    assert.deepEqual(report.charts, ['gain', 'params', 'confusion', 'confusion-difference', 'learning-curves']);
    const html = readFileSync(report.file, 'utf8');
    assertOffline(html);
    const figs = figures(html);
    assert.deepEqual(
      figs.map((f) => f.id),
      [...report.charts],
    );
    for (const fig of figs) assert.lengthOf(fig.body.match(/<svg /g) ?? [], 1, fig.id);
    assert.lengthOf(html.match(/<svg /g) ?? [], 5, 'no svg outside the figures');
    assert.match(figs[0].body, /aria-roledescription="rect mark container"/, 'the gain over two axes is a heat map');
    assert.include(html, '<h1>blobs</h1>');
    // The table: a row per cell and role with parameters, seeds and the metric with its interval; the gain on the student.
    assert.match(
      html,
      /<td class="role-student">student<\/td><td class="num">[\d,]+<\/td><td class="num">2<\/td>(<td class="num">\d\.\d+ ± \d\.\d+<\/td>){2}<td class="num[^"]*">[+-]\d\.\d+ ± \d\.\d+ \((not significant, )?p=/,
    );
    assert.lengthOf(
      html.match(/<td rowspan="3">distillation\.temperature=\d, distillation\.alpha=0\.\d<\/td>/g) ?? [],
      4,
    );
    // The backend from manifest.json ("wasm" alone is on every page: tfjs-backend-wasm's version, the kernels).
    assert.include(html, '<dt>backend</dt><dd>wasm</dd>');
  });

  it('a selection stage: every searched point and the winner, and a chart of them', async () => {
    const search = `${SPEC.replace('dataset: blobs', 'dataset: { name: blobs, validation: 0.2 }')}search:\n  grid:\n    training.optimizer.lr: [0.00001, 0.01]\n  select: val_accuracy\n  carry: [training.optimizer.lr]\n`;
    const report = await writeReport(await runBlobs(search));
    assert.deepEqual(report.charts, ['params', 'selection', 'confusion', 'confusion-difference', 'learning-curves']);
    const html = readFileSync(report.file, 'utf8');
    assert.match(
      html,
      /<tr class="selected"><td>training\.optimizer\.lr=0\.01<\/td><td class="num">1<\/td><td class="num">\d(\.\d{1,4})?<\/td>/,
    );
    assert.match(html, /<tr><td>training\.optimizer\.lr=0\.00001<\/td>/);
    assert.include(html, 'validation accuracy', 'the learning curves show the validation metric');
    const selection = figures(html).find((f) => f.id === 'selection');
    assert.include(selection?.body, '>selected</text>');
  });

  it('a method axis: its methods ranked against kd in a section of their own, oriented by the metric', async () => {
    const dir = writeRun({ cells: methodCells(), seeds: [1, 2, 3], gain: methodGain });
    const report = await writeReport(dir, { higherIsBetter: (metric) => metric !== 'loss' });
    assert.deepEqual(report.charts, ['methods', 'params', 'learning-curves']);
    const html = readFileSync(report.file, 'utf8');
    const section = /<section id="methods">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    assert.include(section, '<h2>Methods against kd</h2>');
    assert.lengthOf(figures(section), 1);
    const rows = [...section.matchAll(/<tr><td>([^<]*)<\/td>.*?<td class="[^"]*">([^<]*)<\/td><\/tr>/g)].map(
      (m) => `${m[1]}: ${m[2]}`,
    );
    assert.deepEqual(rows, [
      'dkd: better than kd',
      'kd(temperature=2): not different from kd',
      'kd(temperature=4): kd (reference)',
    ]);
    assert.include(
      section,
      '<tr><td>dkd</td><td class="num helped">+0.0355 ± 0.0057 (p=0.0014)</td><td class="num">+0.0215 ± 0.0012 (n=3)</td>' +
        '<td class="num">&lt;0.001</td><td class="num">&lt;0.001</td><td class="helped">better than kd</td></tr>',
    );
    // Were accuracy a metric where lower is better, dkd's higher accuracy would be worse than kd's.
    const lower = readFileSync((await writeReport(dir, { higherIsBetter: () => false })).file, 'utf8');
    assert.include(lower, '<td class="num">-0.0215 ± 0.0012 (n=3)</td>');
    assert.include(lower, '<td class="hurt">worse than kd</td>');
  });

  it('one seed: the gain is a single draw, with the command that repeats the run over seeds; over seeds, not significant in words', async () => {
    const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] });
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    const argv = ['experiments/x.yaml', '--set', 'training.epochs=1', '--run-id', 'r1'];
    writeFileSync(
      manifestFile,
      JSON.stringify({ ...manifest, spec_file: 'experiments/x.yaml', attempts: [{ command: 'distil-run', argv }] }),
    );
    const html = readFileSync((await writeReport(dir)).file, 'utf8');
    // Student 0.8 + 3/1000 + 0.01 against the person's 0.8 + 1/1000: +0.012, not coloured as settled.
    assert.include(html, '<td class="num ">+0.012 (single draw)</td>');
    assert.include(
      html,
      '<p class="note single-draw">One seed: the gain is a single draw, not a measured effect (another seed can change its size and its sign); ' +
        'to repeat the run over five seeds: <code>distil-run experiments/x.yaml --set training.epochs=1 --set &#39;seeds=[1,2,3,4,5]&#39;</code></p>',
    );
    // Two seeds whose gains are +0.022 and -0.016: mean 0.003, half-width t(0.975, 1) · 0.02687 / √2 = 0.2414, p = 0.90.
    const spread = writeRun({
      cells: [{ id: 'c1', axes: {} }],
      seeds: [1, 2],
      gain: (_, seed) => (seed === 1 ? 0.02 : -0.02),
    });
    const seeded = readFileSync((await writeReport(spread)).file, 'utf8');
    assert.include(seeded, '<td class="num ">+0.00 ± 0.24 (not significant, p=0.90)</td>');
    assert.notInclude(seeded, 'single-draw');
  });

  it('a run that was interrupted: the report says so and shows what finished', async () => {
    const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1], status: 'interrupted' });
    const results = path.join(dir, 'results.csv');
    // params, epochs, batch size, then 8 empty columns up to the status: the person was stopped before its first result.
    writeFileSync(
      results,
      readFileSync(results, 'utf8').replace(
        /,person,1,cpu,100,(.*),ok,\n/,
        `,person,1,cpu,,3,32,${','.repeat(8)}interrupted,interrupted: stopped\n`,
      ),
    );
    const report = await writeReport(dir);
    assert.equal(report.status, 'interrupted');
    const html = readFileSync(report.file, 'utf8');
    assert.include(html, 'interrupted: the report shows what finished');
    assert.match(
      html,
      /<td>all<\/td><td>person<\/td><td class="num">1<\/td><td>interrupted<\/td><td>interrupted: stopped<\/td>/,
    );
    assert.include(html, '0 of 1 (1 interrupted)');
  });

  describe('the header: what changed the spec, and the epochs that ran', () => {
    /** The header of a report page: the description, the line of overrides, and the `epochs run` entry. */
    function header(html: string): { description?: string; overrides?: string; epochs?: string } {
      const part = /<header>[\s\S]*?<\/header>/.exec(html)?.[0] ?? '';
      return {
        description: /<p class="description">(.*?)<\/p>/.exec(part)?.[1],
        overrides: /<p class="overrides">(.*?)<\/p>/.exec(part)?.[1],
        epochs: /<dt>epochs run<\/dt><dd>(.*?)<\/dd>/.exec(part)?.[1],
      };
    }

    it('a real run given --set: the manifest records the overrides, the header shows them and the epochs run', async () => {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'distil-header-')), 'blobs.yaml');
      writeFileSync(file, `${SPEC}description: teacher 32-16, student and person 8, 4 epochs each\n`);
      const registry = new Registry().use(builtinPlugin).use(testPlugin);
      const set = ['training.epochs=2', 'distillation.alpha=0.3'];
      const grid = ['distillation.temperature=[2, 4]'];
      const { experiment } = await loadExperiment(file, { registry, set, grid });
      const summary = await runExperiment(experiment, registry, {
        outDir: path.dirname(file),
        reporter: new RecordingReporter(),
        teacherCache: false,
      });
      const manifest = JSON.parse(readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8'));
      assert.deepEqual(manifest.overrides, { set, grid, plugins: [] });
      assert.deepEqual(manifest.attempts[0].overrides, { set, grid, plugins: [] });
      const html = readFileSync((await writeReport(summary.runDir)).file, 'utf8');
      assert.deepEqual(header(html), {
        description: 'teacher 32-16, student and person 8, 4 epochs each',
        overrides:
          'as run with <code>--set training.epochs=2</code> <code>--set distillation.alpha=0.3</code> ' +
          '<code>--grid distillation.temperature=[2, 4]</code>',
        epochs: 'teacher 2; student 2; person 2',
      });
    });

    it('early stopping: the epochs trained as a range over cells and seeds, of the count asked for, and the epoch kept', async () => {
      const ran = { teacher: () => 10, student: (seed: number) => 6 + seed, person: () => 10 };
      const kept = { teacher: () => 10, student: (seed: number) => 4 + seed, person: () => 10 };
      const dir = writeRun({
        cells: grid2([1, 2], [5]),
        seeds: [1, 2],
        epochs: 10,
        ran: (cell, seed, role) => ran[role](seed) - (role === 'student' && cell.axes.a === 2 ? 1 : 0),
        kept: (_cell, seed, role) => kept[role](seed),
        overrides: { set: ['training.epochs=10'], grid: [], plugins: ['./my-plugin.js'] },
      });
      const html = readFileSync((await writeReport(dir)).file, 'utf8');
      assert.deepEqual(header(html), {
        description: 'A synthetic run',
        overrides: 'as run with <code>--set training.epochs=10</code> <code>--plugin ./my-plugin.js</code>',
        epochs: 'teacher 10; student 6 to 8 of 10, kept epoch 5 to 6; person 10',
      });
    });

    it('a manifest of a version that did not record overrides: no line of overrides, the epochs still shown', async () => {
      const html = readFileSync(
        (await writeReport(writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] }))).file,
        'utf8',
      );
      assert.deepEqual(header(html), {
        description: 'A synthetic run',
        overrides: undefined,
        epochs: 'teacher 3; student 3; person 3',
      });
    });
  });

  describe('bad run directories: exit code 2, naming the file', () => {
    const MANIFEST_HINT = '(re-run the run; the report needs the manifest.json the run writes)';
    const cases: [string, (dir: string) => void, (dir: string) => string | RegExp][] = [
      [
        'no such directory',
        (dir) => rmSync(dir, { recursive: true }),
        (dir) => `${dir}: no such run directory (a run writes results/<experiment>/<run-id>/)`,
      ],
      [
        'a file, not a directory',
        (dir) => {
          rmSync(dir, { recursive: true });
          writeFileSync(dir, '');
        },
        (dir) => `${dir}: is a file, not a run directory (pass the directory that holds results.csv)`,
      ],
      [
        'no results.csv',
        (dir) => rmSync(path.join(dir, 'results.csv')),
        (dir) => `${dir}: holds no results.csv (pass the directory of one run: results/<experiment>/<run-id>/)`,
      ],
      [
        'no manifest.json',
        (dir) => rmSync(path.join(dir, 'manifest.json')),
        (dir) =>
          `${dir}: holds results.csv but no manifest.json (a run writes both; pass the directory of one run: results/<experiment>/<run-id>/)`,
      ],
      // The JSON parser's own words change with the Node version (22 and later add "(line 1 column 21)").
      [
        'a damaged manifest.json',
        (dir) => writeFileSync(path.join(dir, 'manifest.json'), '{"experiment": "x", '),
        (dir) =>
          messagePattern`run manifest ${path.join(dir, 'manifest.json')}: is not valid JSON (${/.+/}) ${MANIFEST_HINT}`,
      ],
      [
        'a manifest of something else',
        (dir) => writeFileSync(path.join(dir, 'manifest.json'), '{"name": "x"}'),
        (dir) =>
          `run manifest ${path.join(dir, 'manifest.json')}: is not a distil-run manifest: no experiment, status, backend.name ${MANIFEST_HINT}`,
      ],
      [
        'no history.csv',
        (dir) => rmSync(path.join(dir, 'history.csv')),
        (dir) =>
          `${path.join(dir, 'history.csv')}: no such file (check the path; a run writes results/<experiment>/<run-id>/results.csv)`,
      ],
      [
        'a results.csv cut short',
        (dir) =>
          writeFileSync(
            path.join(dir, 'results.csv'),
            readFileSync(path.join(dir, 'results.csv'), 'utf8').slice(0, -20),
          ),
        (dir) =>
          `${path.join(dir, 'results.csv')}:4: row has 14 fields, the header has 20 (the file may be cut short; re-run or resume the run)`,
      ],
      [
        'a history.csv that is a results table',
        (dir) => writeFileSync(path.join(dir, 'history.csv'), readFileSync(path.join(dir, 'results.csv'))),
        (dir) =>
          `${path.join(dir, 'history.csv')}: is a results table, not a history table (the file may have been replaced; re-run the run)`,
      ],
    ];
    for (const [name, damage, message] of cases) {
      it(name, async () => {
        const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] });
        damage(dir);
        assertErrorMessage(await refusal(() => writeReport(dir)), message(dir), { exitCode: 2 });
        assert.isFalse(existsSync(path.join(dir, 'report.html')));
      });
    }

    it('a sharded run directory: names a shard folder to pass', async () => {
      const run = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] });
      const parent = path.dirname(run);
      renameSync(run, path.join(parent, 'shard-1-of-2'));
      const error = await refusal(() => writeReport(parent));
      assert.equal(
        error.message,
        `${parent}: holds no results.csv (a sharded run keeps its tables in shard-1-of-2/...: pass a shard directory)`,
      );
    });
  });

  it('after a run, a report that cannot be made is a warning and nothing else', async () => {
    const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] });
    const before = readFileSync(path.join(dir, 'results.csv'), 'utf8');
    writeFileSync(path.join(dir, 'manifest.json'), 'not json');
    const warnings: string[] = [];
    assert.isUndefined(await reportAfterRun(dir, (w) => warnings.push(`${w.code}: ${w.message}`)));
    assert.lengthOf(warnings, 1);
    // The JSON parser's own words change with the Node version.
    assert.match(
      warnings[0],
      messagePattern`REPORT_NOT_WRITTEN: could not write report.html (run manifest ${path.join(dir, 'manifest.json')}: is not valid JSON (${/.+/}) (re-run the run; the report needs the manifest.json the run writes)); the run's results are unchanged (distil-run report ${dir} writes it once that is fixed)`,
    );
    assert.equal(readFileSync(path.join(dir, 'results.csv'), 'utf8'), before);
    assert.isFalse(existsSync(path.join(dir, 'report.html')));
  });

  it("a report.html that cannot be written: the system's code and what to do about that cause, said once", async () => {
    const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] });
    const file = path.join(dir, 'report.html');
    mkdirSync(file);
    assertErrorMessage(
      await refusal(() => writeReport(dir)),
      `${file}: cannot write it (EISDIR); remove or rename the directory in its place`,
      { code: 'RESULTS_ERROR' },
    );
    const warnings: string[] = [];
    assert.isUndefined(await reportAfterRun(dir, (w) => warnings.push(`${w.code}: ${w.message}`)));
    assert.deepEqual(warnings, [
      `REPORT_NOT_WRITTEN: could not write report.html (${file}: cannot write it (EISDIR); remove or rename the directory in its place); the run's results are unchanged (distil-run report ${dir} writes it once that is fixed)`,
    ]);
    // The causes a test cannot make here (it may run as root, on a disk with space).
    const fixes = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EIO'].map(
      (code) => `${code}: ${writeFailureFix(code, '/runs/r')}`,
    );
    assert.deepEqual(fixes, [
      'EACCES: fix the permissions of /runs/r',
      'EPERM: fix the permissions of /runs/r',
      'EROFS: /runs/r is on a read-only file system: make it writable',
      'ENOSPC: free space on its disk',
      'EDQUOT: free space (the disk quota is used up)',
      'EIO: free space or fix permissions',
    ]);
  });

  it('the CLI loads Vega only when a run ends: no static import reaches the report module from src/cli/main.ts', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      // Static imports and re-exports only: `import type` is erased, `await import()` is lazy.
      for (const [, specifier] of source.matchAll(/^(?:import|export)\s+(?!type\s)[^'"]*?from\s+'([^']+)'/gm)) {
        if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
        else packages.add(specifier);
      }
    };
    visit(path.join(root, 'src', 'cli', 'main.ts'));
    assert.include([...seen], path.join(root, 'src', 'report', 'after-run.ts'));
    assert.notInclude([...seen], path.join(root, 'src', 'report', 'report.ts'));
    assert.notInclude([...packages], 'vega');
    assert.notInclude([...packages], 'vega-lite');
  });
});
