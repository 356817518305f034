// Vega-Lite spec → Vega → SVG text, headless in Node: no browser, no canvas, no network.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { measureText } from './text-width.js';
import type { TextItem } from './text-width.js';

// vega-scenegraph's text measurement hook (exported by vega, not in its typings); see measureText.
(vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics.width =
  measureText;

/**
 * Renders a chart to an SVG element for inlining in HTML. The View's 'none' renderer builds the scene
 * graph without drawing anything, and toSVG() serialises it. Ids vega gives clip paths and gradients
 * count up per process, so each chart's ids get the chart's own prefix: two charts on one page never
 * share an id, and the same run gives the same text.
 */
export async function renderSvg(spec: TopLevelSpec, prefix: string): Promise<string> {
  const quiet = vega.logger(vega.None);
  const compiled = compile(spec, { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: quiet });
  try {
    const svg = await view.toSVG();
    const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    return svg
      .replace(/(\sid=")([^"]+)"/g, (_, start: string, id: string) => `${start}${prefix}-${id}"`)
      .replace(/url\(#([^)]+)\)/g, (whole: string, id: string) => (ids.has(id) ? `url(#${prefix}-${id})` : whole));
  } finally {
    view.finalize();
  }
}
