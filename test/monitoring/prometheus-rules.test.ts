import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { farmMetricNames, metricNamesIn } from './farm-metric-names.ts';

// The alert rules, checked by Prometheus' own tool (Debian's prometheus package; `npm run setup -- --for test`
// installs it): the file parses, and each alert fires from synthetic series (prometheus-rules.test.yaml).

const MONITORING = fileURLToPath(new URL('../../infra/monitoring/', import.meta.url));
const RULES = `${MONITORING}prometheus-rules.yaml`;

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: MONITORING, encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`promtool could not be run (${result.error.message}): install Debian's prometheus package (npm run setup -- --for test).`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);

describe('infra/monitoring/prometheus-rules.yaml', () => {
  it('passes promtool check rules', () => {
    const check = promtool('check', 'rules', RULES);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });

  it('fires each alert from synthetic series and stays quiet on healthy ones (promtool test rules)', () => {
    const test = promtool('test', 'rules', 'prometheus-rules.test.yaml');
    expect(test.output).toContain('SUCCESS');
    expect(test.status).toBe(0);
    const tested = readFileSync(`${MONITORING}prometheus-rules.test.yaml`, 'utf8');
    for (const rule of rules) expect(tested, `${rule.alert} has a firing case`).toMatch(new RegExp(`alertname: ${rule.alert}\\n\\s+eval_time: \\S+\\n\\s+exp_alerts:\\n`));
  });

  it('covers the alerts an operator pages on, each with for, a severity, a summary and a description', () => {
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['PortraitFarmQueueStuck', 'PortraitFarmJobFailureRate', 'PortraitFarmWebhookBacklog', 'PortraitFarmNoWorkers']));
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary'], rule.alert).toBeTruthy();
      expect(rule.annotations?.['description'], rule.alert).toBeTruthy();
    }
  });

  it('names only metrics the farm exports', async () => {
    const exported = await farmMetricNames();
    for (const rule of rules) {
      const names = metricNamesIn(rule.expr);
      expect(names.length, `${rule.alert}: ${rule.expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${rule.alert}: ${name}`).toContain(name);
    }
  });
});
