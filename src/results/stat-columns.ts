// A summary's statistics columns of some values: mean, sample std and the 95% interval's half-width, rounded as tables show numbers.
import { ci95, mean, sampleStd } from '../shared/index.js';
import { round } from './rows.js';
import type { Row } from './rows.js';

/** The finite numbers among some table fields (empty and non-numeric fields left out). */
export const finite = (values: ReadonlyArray<string | undefined>): number[] =>
  values.filter((v) => v !== undefined && v !== '').map(Number).filter(Number.isFinite);

/** `{prefix}_mean`, `_std` and `_ci95` of some values; empty where there are too few. */
export function statColumns(prefix: string, values: readonly number[]): Row {
  const m = mean(values);
  const std = sampleStd(values);
  const ci = ci95(values);
  return {
    [`${prefix}_mean`]: m === undefined ? '' : round(m),
    [`${prefix}_std`]: std === undefined ? '' : round(std),
    [`${prefix}_ci95`]: ci === undefined ? '' : round(ci),
  };
}
