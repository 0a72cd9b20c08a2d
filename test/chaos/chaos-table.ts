import type { JobVerdict } from './chaos-farm.ts';
import type { FaultOutcome } from './s3-faults.ts';

/** One row of the chaos table. */
export interface ChaosRow {
  fault: string;
  submitted: number;
  succeeded: number;
  failedClear: number;
  lost: number;
  identical: number;
  /** Everything that breaks the rules: lost jobs, unclear errors, segments missing or twice, other bytes. */
  problems: string[];
  note: string;
}

/**
 * Judges a fault's jobs: each succeeded video against renderClip with its own watermark (`expectedSha`; every job has
 * its own payload).
 */
export function rowOf(outcome: FaultOutcome): ChaosRow {
  const problems = [...outcome.problems];
  const count = (test: (v: JobVerdict) => boolean): number => outcome.verdicts.filter(test).length;
  for (const v of outcome.verdicts) {
    for (const p of v.problems) problems.push(`${v.id}: ${p}`);
    if (v.status === 'succeeded' && v.sha !== v.expectedSha) problems.push(`${v.id}: video differs from renderClip with its watermark (${v.sha})`);
  }
  const failures = outcome.verdicts.filter((v) => v.status === 'failed').map((v) => `${v.id} failed: ${v.error?.code} ${v.error?.message}`);
  return {
    fault: outcome.fault,
    submitted: outcome.verdicts.length,
    succeeded: count((v) => v.status === 'succeeded'),
    failedClear: count((v) => v.status === 'failed' && v.problems.length === 0),
    lost: count((v) => v.status === 'lost'),
    identical: count((v) => v.status === 'succeeded' && v.sha === v.expectedSha),
    problems,
    note: [outcome.note, ...failures].join('; '),
  };
}

/** The table as text: one line per fault, then the notes and any problems. */
export function formatTable(rows: readonly ChaosRow[]): string {
  const head = ['fault', 'submitted', 'succeeded', 'failed (clear error)', 'lost', 'identical (renderClip, same watermark)'];
  const cells = rows.map((r) => [r.fault, String(r.submitted), String(r.succeeded), String(r.failedClear), String(r.lost), `${r.identical}/${r.succeeded}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.map(line), ''];
  for (const r of rows) {
    out.push(`${r.fault}: ${r.note}`);
    for (const p of r.problems) out.push(`  PROBLEM ${p}`);
  }
  return out.join('\n');
}
