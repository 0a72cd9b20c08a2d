import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { farmMetricNames, metricNamesIn } from './farm-metric-names.ts';

// The Grafana dashboard: it parses, picks its Prometheus through a datasource variable, its ids are unique, its
// expressions are valid PromQL (promtool checks them as recording rules) and read only metrics the farm exports.

const FILE = fileURLToPath(new URL('../../infra/monitoring/grafana-dashboard.json', import.meta.url));

interface Target {
  refId: string;
  expr: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as {
  uid: string;
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query: string }> };
  panels: Panel[];
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = panels.filter((p) => p.type !== 'row');
const expressions = queries.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

describe('infra/monitoring/grafana-dashboard.json', () => {
  it('is a dashboard of a recent schema with a Prometheus datasource variable every panel uses', () => {
    expect(dashboard.uid).toBe('portrait-farm');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    for (const panel of queries) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });

  it('gives every panel a unique id and every target of a panel a unique refId', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of queries) {
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
    }
  });

  it('shows what an operator watches: queues, throughput, failures, stage latency, frames/s, utilisation, inference, webhooks, storage', () => {
    const used = new Set(expressions.flatMap((e) => metricNamesIn(e.expr)));
    for (const name of [
      'portrait_farm_queue_jobs',
      'portrait_farm_jobs_finished_total',
      'portrait_farm_job_stage_duration_seconds_bucket',
      'portrait_farm_segment_frames_per_second_bucket',
      'portrait_farm_step_busy_seconds_total',
      'portrait_farm_step_slots',
      'portrait_farm_inference_duration_seconds_bucket',
      'portrait_farm_webhook_deliveries_total',
      'portrait_farm_storage_errors_total',
    ]) {
      expect(used, name).toContain(name);
    }
  });

  it('reads only metrics the farm exports', async () => {
    expect(metricNamesIn('sum by (queue) (rate(portrait_farm_x_total{state=~"a|b"}[$__rate_interval])) / on () up')).toEqual(['portrait_farm_x_total', 'up']);
    const exported = await farmMetricNames();
    for (const { panel, expr } of expressions) {
      const names = metricNamesIn(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${panel}: ${name}`).toContain(name);
    }
  });

  it('has only valid PromQL (promtool check rules on the expressions as recording rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-dashboard-'));
    try {
      const rules = expressions.map((e, i) => ({ record: `dashboard:expression_${i}`, expr: e.expr.replaceAll('$__rate_interval', '5m') }));
      writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
      const check = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yaml')], { encoding: 'utf8' });
      if (check.error !== undefined) throw new Error(`promtool could not be run (${check.error.message}): install Debian's prometheus package (npm run setup -- --for test).`);
      expect(`${check.stdout}${check.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
