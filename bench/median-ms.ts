// Timing for the in-process profiles (bench/step-profile.ts, bench/forward-profile.ts).

/** Median milliseconds of `fn` over `repeats` runs after `warmups` untimed ones. */
export function medianMs(fn: () => void, repeats: number, warmups = 2): number {
  for (let i = 0; i < warmups; i++) fn();
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    fn();
    runs.push(performance.now() - started);
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)];
}
