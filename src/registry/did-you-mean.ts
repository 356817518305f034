// "Did you mean" suggestions for misspelt keys, component names and commands.

/** Levenshtein edit distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
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
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(2, Math.floor(needle.length / 3));
  if (bestDistance <= allowed) return best;
  // A name with extra or missing trailing letters ("kd-los" for "kd") is still a likely typo.
  return [...candidates].find((c) => c.length >= 2 && (needle.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(needle)));
}
