// Text widths for laying out charts without a canvas: Helvetica's character widths (Arial and Liberation Sans share them).

/** Advance widths of ASCII 32..126 in Helvetica, in thousandths of the font size (the standard AFM metrics). */
const HELVETICA = [
  278,
  278,
  355,
  556,
  556,
  889,
  667,
  191,
  333,
  333,
  389,
  584,
  278,
  333,
  278,
  278, // space ! " # $ % & ' ( ) * + , - . /
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  278,
  278,
  584,
  584,
  584,
  556, // 0-9 : ; < = > ?
  1015,
  667,
  667,
  722,
  722,
  667,
  611,
  778,
  722,
  278,
  500,
  667,
  556,
  833,
  722,
  778, // @ A-O
  667,
  778,
  722,
  667,
  611,
  722,
  667,
  944,
  667,
  667,
  611,
  278,
  278,
  278,
  469,
  556, // P-Z [ \ ] ^ _
  333,
  556,
  556,
  500,
  556,
  556,
  278,
  556,
  556,
  222,
  222,
  500,
  222,
  833,
  556,
  556, // ` a-o
  556,
  556,
  333,
  500,
  278,
  556,
  500,
  722,
  500,
  500,
  500,
  334,
  260,
  334,
  584, // p-z { | } ~
];

/** Bold Helvetica is wider by about this much on average. */
const BOLD = 1.07;

/** The width in pixels of `text` set in Helvetica at `fontSize` px (characters outside ASCII count as a digit). */
export function helveticaWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    units += code >= 32 && code <= 126 ? HELVETICA[code - 32] : 556;
  }
  return (units / 1000) * fontSize * (bold ? BOLD : 1);
}

/** The part of a text mark vega passes to its width function. */
export interface TextItem {
  readonly fontSize?: number | string;
  readonly fontWeight?: number | string;
  readonly limit?: number;
}

/**
 * A width function for vega's `textMetrics.width`. Vega measures text with a canvas, which Node lacks,
 * and otherwise estimates 0.8 em per character: about 1.6 times too wide for Helvetica, which cuts
 * labels short and spreads legends. Vega truncates a label with a `limit` by calling this on its
 * prefixes, and elsewhere expects the truncated width: capping at the limit serves both.
 */
export function measureText(item: TextItem, text: unknown): number {
  const size = item.fontSize === undefined || item.fontSize === null ? 11 : Number(item.fontSize) || 0;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const width = helveticaWidth(text === undefined || text === null ? '' : String(text).trim(), size, bold);
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
}
