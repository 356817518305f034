// report.html in a real browser: headless Chromium lays out every chart with its marks and role legends, and takes a screenshot.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert } from 'chai';
import { writeReport } from '../../src/report/report.js';
import { useWasm } from '../helpers.js';
import { runBlobs, SEEDLESS } from './fixtures.js';

const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The first Chromium on the PATH, or undefined. */
function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of BROWSERS) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Runs headless Chromium on a file with `flags`; returns stdout (the DOM with --dump-dom). */
function chromium(browser: string, file: string, flags: readonly string[]): string {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'distil-chromium-'));
  const result = spawnSync(
    browser,
    ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, ...flags, pathToFileURL(file).href],
    { encoding: 'utf8', timeout: 90_000 },
  );
  rmSync(profile, { recursive: true, force: true });
  assert.equal(result.status, 0, `chromium exited ${result.status} (${result.signal ?? ''}): ${result.stderr}`);
  return result.stdout;
}

/** What the browser measured of one chart. */
interface Measured {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Visible marks by vega mark type (line, area, rect, symbol, rule, text), legends and axes left out. */
  readonly marks: Record<string, number>;
  readonly legend: string[];
}

// Runs in the browser on a copy of the report (the report itself has no script): each chart's laid-out size,
// the marks with a non-empty box, and the legend labels.
const MEASURE = `<script>
addEventListener('load', () => {
  const charts = [...document.querySelectorAll('figure.chart')].map((figure) => {
    const svg = figure.querySelector('svg');
    const box = svg.getBoundingClientRect();
    const marks = {};
    for (const group of svg.querySelectorAll('g.role-mark')) {
      const type = [...group.classList].find((c) => c.startsWith('mark-')).slice(5);
      const visible = [...group.children].filter((e) => { const b = e.getBBox(); return b.width > 0 || b.height > 0; }).length;
      marks[type] = (marks[type] || 0) + visible;
    }
    const legend = [...svg.querySelectorAll('g.role-legend-label text')].map((t) => t.textContent);
    return { id: figure.dataset.chart, width: box.width, height: box.height, marks, legend };
  });
  const out = document.createElement('pre');
  out.id = 'measured';
  out.textContent = JSON.stringify(charts);
  document.body.append(out);
});
</script>`;

describe('report.html in headless Chromium', function () {
  this.timeout(180_000);
  const browser = findChromium();
  let report: string;

  before(async function () {
    if (!browser) {
      process.stderr.write(
        `    skipped: no Chromium on the PATH (looked for ${BROWSERS.join(', ')}); install it, e.g. apt-get install chromium\n`,
      );
      this.skip();
    }
    await useWasm();
    const dir = await runBlobs(
      `${SEEDLESS}seeds: [1, 2]\ngrid:\n  distillation.temperature: [1, 4]\n  distillation.alpha: [0.3, 0.7]\n`,
    );
    report = (await writeReport(dir)).file;
  });

  it('parses every chart as inline SVG with path marks and legends naming the roles', () => {
    const dom = chromium(browser as string, report, ['--dump-dom']);
    const figures = [...dom.matchAll(/<figure class="chart" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({
      id: m[1],
      body: m[2],
    }));
    assert.deepEqual(
      figures.map((f) => f.id),
      ['gain', 'params', 'confusion', 'confusion-difference', 'learning-curves'],
    );
    for (const { id, body } of figures) {
      assert.lengthOf(body.match(/<svg /g) ?? [], 1, id);
      assert.match(body, /<path /, id);
    }
    for (const id of ['learning-curves', 'params']) {
      const legend =
        figures.find((f) => f.id === id)?.body.match(/<g class="mark-group role-legend"[\s\S]*$/)?.[0] ?? '';
      for (const role of ['teacher', 'student', 'person']) assert.include(legend, `>${role}</text>`, `${id} legend`);
    }
  });

  it('lays out each chart with its marks: lines and seed bands, a heat map of rects, points per role', () => {
    const page = path.join(path.dirname(report), 'measured.html');
    writeFileSync(page, readFileSync(report, 'utf8').replace('</body>', `${MEASURE}</body>`));
    const dom = chromium(browser as string, page, ['--dump-dom']);
    const json = dom.match(/<pre id="measured">([\s\S]*?)<\/pre>/)?.[1];
    assert.isDefined(json, `no measurement in the page:\n${dom.slice(0, 500)}`);
    const charts = JSON.parse((json as string).replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Measured[];
    assert.deepEqual(
      charts.map((c) => c.id),
      ['gain', 'params', 'confusion', 'confusion-difference', 'learning-curves'],
    );
    for (const chart of charts) assert.isAbove(chart.width * chart.height, 100 * 100, chart.id);
    const [gain, params, confusion, difference, curves] = charts;
    // 4 cells, each with a line and a band per role drawn: the teacher's and the person's training loss, the
    // student's distillation loss, then every role's test loss and test accuracy.
    assert.equal(curves.marks.line, 4 * (2 + 1 + 3 + 3));
    assert.equal(curves.marks.area, 4 * (2 + 1 + 3 + 3));
    assert.deepEqual(curves.legend, ['teacher', 'student', 'person']);
    assert.equal(gain.marks.rect, 4, 'one rect per cell over the two axes');
    assert.equal(gain.marks.text, 4, 'each labelled with its gain');
    assert.equal(params.marks.symbol, 4 * 3, 'a point per cell and role');
    assert.deepEqual(params.legend, ['teacher', 'student', 'person']);
    // 3 classes: a 3 x 3 heat map per role, and one of the difference.
    assert.equal(confusion.marks.rect, 3 * 3 * 3, 'a rect per role, true and predicted class');
    assert.isAtLeast(
      confusion.marks.text,
      3 * 3,
      'the counts written in the cells: one at least per role and true class',
    );
    assert.equal(difference.marks.rect, 3 * 3, 'a rect per true and predicted class');
  });

  it('takes a screenshot of the page', () => {
    const png = path.join(path.dirname(report), 'report.png');
    chromium(browser as string, report, [`--screenshot=${png}`, '--window-size=1200,2400', '--hide-scrollbars']);
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [1200, 2400], 'IHDR width and height');
    // A blank page of this size compresses to a few kilobytes; charts and tables make it far larger.
    assert.isAbove(statSync(png).size, 50_000);
  });
});
