/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known flag closest to `typed` (both without dashes), or null when none is close: a third of the longer name
 * may differ (at least one edit), so `--fsp` suggests `--fps` and `--head-distanse` `--head-distance`, but
 * `--colour` suggests nothing.
 */
export function closestFlag(typed: string, known: readonly string[]): string | null {
  let best: { flag: string; distance: number } | null = null;
  for (const flag of known) {
    const distance = editDistance(typed.toLowerCase(), flag);
    const allowed = Math.max(1, Math.floor(Math.max(typed.length, flag.length) / 3));
    if (distance <= allowed && (best === null || distance < best.distance)) best = { flag, distance };
  }
  return best?.flag ?? null;
}
