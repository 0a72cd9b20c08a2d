// Writes prometheus-rule.yaml: the farm's alert rules (infra/monitoring/prometheus-rules.yaml, a Prometheus rule
// file) as a PrometheusRule for the Prometheus operator. Run it after changing the rules:
//   node infra/kubernetes/write-prometheus-rule.mjs
// test/infra/prometheus-rule.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const SOURCE = new URL('../monitoring/prometheus-rules.yaml', import.meta.url);
const TARGET = new URL('./prometheus-rule.yaml', import.meta.url);

const rules = parse(readFileSync(SOURCE, 'utf8'));
if (!Array.isArray(rules?.groups) || rules.groups.length === 0) {
  throw new Error(`${SOURCE.pathname} must hold a "groups" list of rule groups; found ${JSON.stringify(Object.keys(rules ?? {}))}`);
}
const prometheusRule = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'portrait-farm', labels: { 'app.kubernetes.io/name': 'portrait-farm' } },
  spec: { groups: rules.groups },
};
const header = '# Generated from infra/monitoring/prometheus-rules.yaml by write-prometheus-rule.mjs: edit the rules there.\n';
writeFileSync(TARGET, header + stringify(prometheusRule, { lineWidth: 0 }));
process.stdout.write('wrote infra/kubernetes/prometheus-rule.yaml\n');
