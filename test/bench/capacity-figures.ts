// Pure helpers of the capacity benchmarks (capacity-measure.ts, capacity-sim.ts): Redis INFO parsing and
// differences, what kind of farm object an S3 request names, percentiles and a plain-text table.

/** The fields of a Redis INFO answer (`name:value` lines; sections and blank lines skipped). */
export function parseRedisInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Calls per command of INFO commandstats (`cmdstat_get:calls=3,usec=...`), by lower-case command name. */
export function commandCalls(info: Map<string, string>): Map<string, number> {
  const calls = new Map<string, number>();
  for (const [name, value] of info) {
    if (!name.startsWith('cmdstat_')) continue;
    const count = /(?:^|,)calls=(\d+)/.exec(value)?.[1];
    if (count !== undefined) calls.set(name.slice('cmdstat_'.length), Number(count));
  }
  return calls;
}

/** `after - before` per key, keeping only keys that grew (a command first seen after counts from 0). */
export function countsAdded(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> {
  const added = new Map<string, number>();
  for (const [key, value] of after) {
    const grew = value - (before.get(key) ?? 0);
    if (grew > 0) added.set(key, grew);
  }
  return added;
}

/** A numeric INFO field, or an error naming it when the server did not report it. */
export function infoNumber(info: ReadonlyMap<string, string>, field: string): number {
  const value = Number(info.get(field));
  if (info.get(field) === undefined || !Number.isFinite(value)) throw new Error(`Redis INFO has no numeric field "${field}" (got ${JSON.stringify(info.get(field) ?? null)}).`);
  return value;
}

/** What a farm object is, by its key: inputs, chunks, the work files (prepared clip, relays, sound track), output. */
export type ObjectKind = 'input' | 'chunk' | 'clip' | 'relay' | 'track' | 'output' | 'manifest' | 'other';

const KIND_PATTERNS: ReadonlyArray<readonly [RegExp, ObjectKind]> = [
  [/\/input\//, 'input'],
  [/\/chunks\//, 'chunk'],
  [/\/work\/clip\./, 'clip'],
  [/\/work\/relay-/, 'relay'],
  [/\/work\/audio\./, 'track'],
  [/\/output\.mp4$/, 'output'],
  [/\/output\.manifest\.json$/, 'manifest'],
];

/**
 * The kind of object an S3 request path (`/{bucket}/{prefix}/jobs/{id}/...?query`) names; a listing or prefix
 * delete (`?prefix=.../jobs/{id}/chunks/`) counts as the kind its prefix names.
 */
export function objectKindOf(path: string): ObjectKind {
  const [route = '', query = ''] = path.split('?');
  const listed = new URLSearchParams(query).get('prefix');
  const key = `${decodeURIComponent(route)}${listed === null ? '' : `/${listed}`}`;
  const job = /\/jobs\/[^/]+(\/.*)$/.exec(key)?.[1];
  if (job === undefined) return 'other';
  return KIND_PATTERNS.find(([pattern]) => pattern.test(job))?.[1] ?? 'other';
}

/** The `p`-th percentile (0-100) of `values` by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (p < 0 || p > 100) throw new Error(`A percentile is between 0 and 100. Passed: ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** A plain-text table: a header row, a rule, then the rows; the first column left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  for (const row of rows) {
    if (row.length !== header.length) throw new Error(`Every table row has ${header.length} cells (${header.join(', ')}). Passed a row of ${row.length}: ${row.join(', ')}`);
  }
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
