/** Edit distance (insertions, deletions, substitutions, swaps of neighbours) between two names. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known name an unknown one most likely meant: the same name in another case, one that starts with it
 * (PORTRAIT_FARM_STORAGE for PORTRAIT_FARM_STORAGE_URL), or the closest within a third of its length after the prefix (at least 2 edits). Null if none is.
 */
export function closestName(unknown: string, known: readonly string[]): string | null {
  const upper = unknown.toUpperCase();
  const sameCase = known.find((name) => name === upper);
  if (sameCase !== undefined) return sameCase;
  const extended = known.filter((name) => name.startsWith(`${upper}_`));
  if (extended.length === 1) return extended[0] ?? null;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(upper, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  const allowed = Math.max(2, Math.floor(upper.replace(/^PORTRAIT_FARM_/, '').length / 3));
  return bestDistance <= allowed ? best : null;
}
