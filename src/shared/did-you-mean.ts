// "Did you mean" suggestions for misspelt keys, component names and commands.

/**
 * Levenshtein edit distance between two strings. With `max`, stops as soon as the distance must
 * exceed it and returns `max + 1`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The closest candidate to `input`, if it is close enough to be a plausible typo.
 * Case differences are free; otherwise up to a third of the word may differ (at least 2 edits).
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  const allowed = Math.max(2, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    // The distance is at least the difference in length: skip candidates that cannot be close enough,
    // so a long unknown key costs no more than a short one.
    if (Math.abs(lower.length - needle.length) > Math.min(allowed, bestDistance - 1)) continue;
    const distance = editDistance(needle, lower, Math.min(allowed, bestDistance - 1));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (bestDistance <= allowed) return best;
  // A name with extra or missing trailing letters ("kd-los" for "kd") is still a likely typo.
  if (needle === '') return undefined;
  return candidates.find(
    (c) => c.length >= 2 && (needle.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(needle)),
  );
}
