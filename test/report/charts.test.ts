// The report's chart specs from small tables: the right marks and encodings, bands with seeds, heat map or bars.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import type { TopLevelSpec } from 'vega-lite';
import { curvePoints } from '../../src/report/chart-data.js';
import {
  axisOrder,
  gainBarsSpec,
  gainHeatmapSpec,
  learningCurveSpec,
  paramsSpec,
  selectionSpec,
} from '../../src/report/charts.js';
import { renderSvg } from '../../src/report/render.js';
import { reportCharts } from '../../src/report/report.js';
import { loadRunData } from '../../src/report/run-data.js';
import { helveticaWidth, measureText } from '../../src/report/text-width.js';
import { grid2, methodCells, methodGain, writeRun } from './fixtures.js';

type Json = Record<string, unknown>;
const json = (spec: TopLevelSpec): Json => JSON.parse(JSON.stringify(spec)) as Json;

/** The unit specs of a layered, faceted or concatenated chart: `{ mark, encoding }` objects, in order. */
function layers(spec: Json): Json[] {
  if (Array.isArray(spec.layer)) return (spec.layer as Json[]).flatMap(layers);
  if (spec.spec) return layers(spec.spec as Json);
  if (Array.isArray(spec.vconcat)) return (spec.vconcat as Json[]).flatMap(layers);
  return [spec];
}

const markType = (unit: Json): string =>
  typeof unit.mark === 'string' ? unit.mark : ((unit.mark as Json).type as string);
const field = (unit: Json, channel: string): unknown => ((unit.encoding as Json)[channel] as Json | undefined)?.field;

describe('report charts', () => {
  describe('learning curves', () => {
    it('one seed: a line per role (colour by role, legend domain the roles), epoch on x, a panel per series, no band', () => {
      const run = loadRunData(writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] }));
      const curves = curvePoints(run);
      assert.deepEqual(curves.series, [
        'training loss (labels)',
        "student's training loss (distillation)",
        'test loss',
        'test accuracy',
      ]);
      const spec = json(learningCurveSpec(curves.points, curves.series, curves.cells));
      const units = layers(spec);
      assert.deepEqual(units.map(markType), ['line']);
      assert.equal(field(units[0], 'x'), 'epoch');
      assert.equal(field(units[0], 'y'), 'mean');
      assert.equal(field(units[0], 'color'), 'role');
      assert.deepEqual(((units[0].encoding as Json).color as Json).scale, {
        domain: ['teacher', 'student', 'person'],
        range: ['#4c78a8', '#f58518', '#54a24b'],
      });
      assert.deepInclude(spec.facet as Json, { field: 'series', sort: curves.series });
      assert.equal(spec.columns, 2, 'two panels to a row');
      assert.deepEqual(((spec.resolve as Json).scale as Json).y, 'independent');
      // The teacher is evaluated on its last epoch only: one test point, three training-loss points.
      assert.lengthOf(
        curves.points.filter((p) => p.role === 'teacher' && p.series === 'test accuracy'),
        1,
      );
      assert.lengthOf(
        curves.points.filter((p) => p.role === 'teacher' && p.series === 'training loss (labels)'),
        3,
      );
    });

    it("the student's distillation loss in a panel of its own; the label loss every role is measured on, shared", () => {
      const run = loadRunData(writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] }));
      const { points } = curvePoints(run);
      const panel = (series: string) => points.filter((p) => p.series === series);
      const roles = (series: string) => [...new Set(panel(series).map((p) => p.role))];
      assert.deepEqual(roles('training loss (labels)'), ['teacher', 'person']);
      assert.deepEqual(roles("student's training loss (distillation)"), ['student']);
      assert.deepEqual(roles('test loss'), ['teacher', 'student', 'person']);
      // The fixture's training loss is 1 / epoch + seed / 1000 for every role; its test loss 0.3 where evaluated.
      const student = panel("student's training loss (distillation)");
      assert.deepEqual(
        student.map((p) => p.epoch),
        [1, 2, 3],
      );
      student.forEach((p) => assert.closeTo(p.mean, 1 / p.epoch + 0.001, 1e-12));
      assert.deepEqual(
        panel('test loss').map((p) => `${p.role} ${p.epoch} ${p.mean}`),
        [
          'teacher 3 0.3',
          'student 1 0.3',
          'student 2 0.3',
          'student 3 0.3',
          'person 1 0.3',
          'person 2 0.3',
          'person 3 0.3',
        ],
      );
      const caption = reportCharts(run).charts.find((c) => c.id === 'learning-curves')!.caption;
      assert.equal(
        caption,
        "Per epoch, one line per role. The teacher's and the person's training loss is their loss on the labels; the student's is its " +
          "distillation loss (the labels' loss mixed with a term on the teacher's outputs), another quantity, so it has a panel of its own. " +
          "The validation and test panels (loss and accuracy) measure every role's model the same way, on the epochs that were evaluated.",
      );
    });

    it("with a validation split: each split's loss beside its metric, after the training losses", () => {
      const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] });
      const history = path.join(dir, 'history.csv');
      // val_ columns as the runner writes them after the test ones: the same values, for the test.
      const lines = readFileSync(history, 'utf8').trimEnd().split('\n');
      writeFileSync(
        history,
        `${[`${lines[0]},val_loss,val_accuracy`, ...lines.slice(1).map((l) => `${l},${l.split(',').slice(-2).join(',')}`)].join('\n')}\n`,
      );
      assert.deepEqual(curvePoints(loadRunData(dir)).series, [
        'training loss (labels)',
        "student's training loss (distillation)",
        'validation loss',
        'validation accuracy',
        'test loss',
        'test accuracy',
      ]);
    });

    it('seeds: the mean line over a band from the lowest to the highest seed', () => {
      const run = loadRunData(writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1, 2, 3] }));
      const curves = curvePoints(run);
      const loss = curves.points.find(
        (p) => p.role === 'student' && p.series === "student's training loss (distillation)" && p.epoch === 1,
      );
      assert.deepInclude(loss, { seeds: 3, lo: 1.001, hi: 1.003 });
      assert.closeTo(loss!.mean, 1.002, 1e-9);
      const units = layers(json(learningCurveSpec(curves.points, curves.series, curves.cells)));
      assert.deepEqual(units.map(markType), ['area', 'line']);
      assert.deepEqual([field(units[0], 'y'), field(units[0], 'y2')], ['lo', 'hi']);
      assert.equal(field(units[0], 'color'), 'role');
    });

    it('several cells: one block per cell, titled with the cell', () => {
      const run = loadRunData(writeRun({ cells: grid2([1, 2], [5]), seeds: [1] }));
      const curves = curvePoints(run);
      const spec = json(learningCurveSpec(curves.points, curves.series, curves.cells));
      const blocks = spec.vconcat as Json[];
      assert.deepEqual(
        blocks.map((b) => (b.title as Json).text),
        ['a=1, b=5', 'a=2, b=5'],
      );
      assert.deepEqual(
        blocks.map((b) => (b.transform as Json[])[0]),
        [{ filter: { field: 'cell', equal: 'a=1, b=5' } }, { filter: { field: 'cell', equal: 'a=2, b=5' } }],
      );
    });

    it('a large sweep: the curves of the first 12 cells, and a note naming how many more there are', () => {
      const run = loadRunData(writeRun({ cells: grid2([1, 2, 3, 4, 5, 6, 7], [1, 2]), seeds: [1], epochs: 1 }));
      const { charts, curvesNote } = reportCharts(run);
      const curves = json(charts.find((c) => c.id === 'learning-curves')!.spec);
      assert.lengthOf(curves.vconcat as Json[], 12);
      assert.equal(curvesNote, 'Learning curves of the first 12 cells; 2 more are in history.csv.');
    });
  });

  describe('gain per cell', () => {
    it('two swept axes: a heat map, one rect per cell over the axes, coloured by the gain and labelled', () => {
      const run = loadRunData(
        writeRun({ cells: grid2([1, 2, 10], [0.3, 0.7]), seeds: [1, 2], gain: (c) => Number(c.axes.a) / 100 - 0.02 }),
      );
      const { charts } = reportCharts(run);
      assert.deepEqual(
        charts.map((c) => c.id),
        ['gain', 'params', 'learning-curves'],
      );
      const spec = json(charts[0].spec);
      const [rect, text] = layers(spec);
      assert.deepEqual([markType(rect), markType(text)], ['rect', 'text']);
      assert.deepInclude((rect.encoding as Json).x as Json, {
        field: 'x',
        type: 'ordinal',
        title: 'a',
        sort: ['1', '2', '10'],
      });
      assert.deepInclude((rect.encoding as Json).y as Json, {
        field: 'y',
        type: 'ordinal',
        title: 'b',
        sort: ['0.3', '0.7'],
      });
      assert.deepInclude((rect.encoding as Json).color as Json, { field: 'gain', type: 'quantitative' });
      const values = (spec.data as Json).values as Json[];
      assert.lengthOf(values, 6);
      assert.deepInclude(values, { x: '10', y: '0.7', gain: 0.083, label: '+0.083' });
    });

    it('one swept axis: bars named by the axis value, with the 95 % interval over seeds', () => {
      const run = loadRunData(
        writeRun({ cells: grid2([1, 2, 3], [5]), seeds: [1, 2], gain: (c) => (Number(c.axes.a) - 2) / 100 }),
      );
      const gain = reportCharts(run).charts.find((c) => c.id === 'gain');
      const units = layers(json(gain!.spec));
      assert.deepEqual(units.map(markType), ['bar', 'rule', 'rule']);
      assert.deepInclude((units[0].encoding as Json).y as Json, { field: 'cell', title: 'a', sort: ['1', '2', '3'] });
      assert.equal(field(units[0], 'x'), 'gain');
      assert.deepEqual([field(units[1], 'x'), field(units[1], 'x2')], ['lo', 'hi']);
      const values = (json(gain!.spec).data as Json).values as Json[];
      assert.deepEqual(
        values.map((v) => v.effect),
        ['hurt', 'helped', 'helped'],
      );
    });

    it('bars over cells named by their labels when more than two axes vary; no chart for a run of one cell', () => {
      const points = [
        { cell: 'a=1, b=1, c=1', axes: { a: 1, b: 1, c: 1 }, gain: 0.01, lo: 0.01, hi: 0.01, n: 1 },
        { cell: 'a=2, b=2, c=2', axes: { a: 2, b: 2, c: 2 }, gain: -0.01, lo: -0.01, hi: -0.01, n: 1 },
      ];
      const units = layers(json(gainBarsSpec(points, 'accuracy')));
      assert.deepEqual(units.map(markType), ['bar', 'rule'], 'one seed: no interval rule, only the zero line');
      assert.deepEqual(((units[0].encoding as Json).y as Json).sort, ['a=1, b=1, c=1', 'a=2, b=2, c=2']);
      const single = loadRunData(writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1, 2] }));
      assert.deepEqual(
        reportCharts(single).charts.map((c) => c.id),
        ['params', 'learning-curves'],
      );
      assert.deepEqual(layers(json(gainHeatmapSpec(points, ['a', 'b'], 'accuracy'))).map(markType), ['rect', 'text']);
    });

    it('orders axis values numerically when they are numbers, else as first seen', () => {
      assert.deepEqual(axisOrder([10, 2, 1, 2]), ['1', '2', '10']);
      assert.deepEqual(axisOrder(['[64]', '[16]', '[32]']), ['[64]', '[16]', '[32]']);
    });
  });

  describe('methods against kd', () => {
    it('a bar per method of its gain with the interval, best first, coloured by its Holm-adjusted test against kd', () => {
      const run = loadRunData(writeRun({ cells: methodCells(), seeds: [1, 2, 3], gain: methodGain }));
      const { charts } = reportCharts(run);
      // Only the methods vary: their chart replaces the gain per cell.
      assert.deepEqual(
        charts.map((c) => c.id),
        ['methods', 'params', 'learning-curves'],
      );
      const spec = json(charts[0].spec);
      const units = layers(spec);
      assert.deepEqual(units.map(markType), ['bar', 'rule', 'rule', 'text']);
      assert.deepInclude((units[0].encoding as Json).y as Json, {
        field: 'method',
        sort: { field: 'gain', op: 'max', order: 'descending' },
      });
      assert.deepInclude((units[0].encoding as Json).color as Json, {
        field: 'versus',
        scale: {
          domain: ['better than kd', 'not different from kd', 'kd (reference)'],
          range: ['#4c78a8', '#bab0ac', '#f58518'],
        },
      });
      const values = (spec.data as Json).values as Json[];
      assert.deepEqual(
        values.map((v) => `${v.method}: ${v.versus}`),
        ['dkd: better than kd', 'kd(temperature=2): not different from kd', 'kd(temperature=4): kd (reference)'],
      );
      assert.equal(values[2].note, 'reference');
      assert.match(String(values[0].note), /^Holm p(=0\.0[0-4]\d|<0\.001)$/);
      assert.isAbove(Number(values[0].hi), Number(values[0].lo));
    });

    it('with another swept axis: one panel per value of it, each sorted by itself, beside the heat map over both axes', () => {
      const run = loadRunData(writeRun({ cells: methodCells([0.1, 0.01]), seeds: [1, 2, 3], gain: methodGain }));
      const { charts } = reportCharts(run);
      assert.deepEqual(
        charts.map((c) => c.id),
        ['methods', 'gain', 'params', 'learning-curves'],
      );
      const spec = json(charts[0].spec);
      assert.deepInclude((spec.facet as Json).row as Json, { field: 'group', sort: ['lr=0.1', 'lr=0.01'] });
      assert.deepEqual(spec.resolve, { scale: { y: 'independent' } });
      // The heat map names the methods by their labels, not their JSON.
      const heat = json(charts[1].spec);
      assert.deepInclude((layers(heat)[0].encoding as Json).y as Json, {
        sort: ['dkd', 'kd(temperature=4)', 'kd(temperature=2)'],
      });
    });
  });

  describe('metric against parameter count', () => {
    it('a point per cell and role (colour and shape by role), parameters on x, the interval with seeds; log x when sizes span 10x', () => {
      const run = loadRunData(writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1, 2] }));
      const spec = json(reportCharts(run).charts.find((c) => c.id === 'params')!.spec);
      const [rule, point] = layers(spec);
      assert.deepEqual([markType(rule), markType(point)], ['rule', 'point']);
      assert.deepInclude((point.encoding as Json).x as Json, { field: 'params', scale: { type: 'log' } });
      assert.deepEqual([field(point, 'y'), field(point, 'color'), field(point, 'shape')], ['mean', 'role', 'role']);
      assert.deepEqual(
        ((spec.data as Json).values as Json[]).map((v) => `${v.role}:${v.params}`),
        ['teacher:1000', 'student:100', 'person:100'],
      );
      const close = json(
        paramsSpec(
          [
            { cell: 'all', role: 'student', params: 100, mean: 0.8, lo: 0.8, hi: 0.8, n: 1 },
            { cell: 'all', role: 'teacher', params: 300, mean: 0.9, lo: 0.9, hi: 0.9, n: 1 },
          ],
          'accuracy',
        ),
      );
      const units = layers(close);
      assert.deepEqual(units.map(markType), ['point'], 'one seed: no interval');
      assert.deepInclude((units[0].encoding as Json).x as Json, { scale: { zero: false } });
    });
  });

  describe('selection stage', () => {
    it('every searched point on its validation metric, the selected one in its own colour', () => {
      const spec = json(
        selectionSpec(
          [
            { label: 'lr=0.1', value: 0.8, outcome: 'searched' },
            { label: 'lr=0.01', value: 0.9, outcome: 'selected' },
          ],
          'val_accuracy',
        ),
      );
      const [point, text] = layers(spec);
      assert.deepEqual([markType(point), markType(text)], ['point', 'text']);
      assert.deepInclude((point.encoding as Json).color as Json, {
        field: 'outcome',
        scale: { domain: ['selected', 'searched', 'pruned'], range: ['#f58518', '#9e9e9e', '#d0d0d0'] },
      });
      assert.deepEqual(((point.encoding as Json).y as Json).sort, ['lr=0.1', 'lr=0.01']);
    });
  });

  describe('rendering', () => {
    it('renders SVG in Node with marks and a legend naming the roles; each chart prefixes its ids', async () => {
      const run = loadRunData(writeRun({ cells: grid2([1, 2], [3, 4]), seeds: [1, 2] }));
      const { charts } = reportCharts(run);
      const svgs = await Promise.all(charts.map((c, i) => renderSvg(c.spec, `chart${i + 1}`)));
      assert.lengthOf(svgs, 3, charts.map((c) => c.id).join(', '));
      for (const svg of svgs) assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      const curves = svgs[charts.findIndex((c) => c.id === 'learning-curves')];
      assert.match(curves, /<path /);
      for (const role of ['teacher', 'student', 'person']) assert.include(curves, `>${role}</text>`);
      const ids = svgs.flatMap((svg) => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
      assert.isNotEmpty(ids, 'the heat map legend has a gradient');
      assert.equal(new Set(ids).size, ids.length, 'no id twice on one page');
      const refs = svgs.flatMap((svg) => [...svg.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]));
      assert.deepEqual(refs, ['chart1-gradient_0'], 'the heat map legend fills with its gradient');
      for (const ref of refs) assert.include(ids, ref);
    });

    it('escapes markup in labels: a cell value cannot inject into the page', async () => {
      const points = [
        { cell: '<script>alert(1)</script>', axes: {}, gain: 0.1, lo: 0.1, hi: 0.1, n: 1 },
        { cell: 'b & "c"', axes: {}, gain: -0.1, lo: -0.1, hi: -0.1, n: 1 },
      ];
      const svg = await renderSvg(gainBarsSpec(points, 'accuracy'), 'c');
      assert.notInclude(svg, '<script');
      assert.include(svg, '&lt;script&gt;alert(1)&lt;/script&gt;');
      assert.include(svg, 'b &amp; "c"');
    });

    it('measures text with Helvetica widths, capped at a label limit', () => {
      assert.closeTo(helveticaWidth('teacher', 10), 33.35, 1e-9);
      assert.equal(measureText({ fontSize: 10, limit: 20 }, 'teacher'), 20);
      assert.isAbove(measureText({ fontSize: 10, fontWeight: 'bold' }, 'teacher'), helveticaWidth('teacher', 10));
    });
  });
});
