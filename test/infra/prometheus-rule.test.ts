import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findObject, readManifestObjects, REPO_ROOT } from './kubernetes-manifests.ts';
import type { KubernetesObject } from './kubernetes-manifests.ts';

// The PrometheusRule the operator loads holds exactly the alert rules of infra/monitoring/prometheus-rules.yaml (which
// test/monitoring checks with promtool): infra/kubernetes/write-prometheus-rule.mjs writes it from that file.

describe('infra/kubernetes/prometheus-rule.yaml', () => {
  it('holds the rule groups of infra/monitoring/prometheus-rules.yaml (node infra/kubernetes/write-prometheus-rule.mjs)', () => {
    const rules = parse(readFileSync(join(REPO_ROOT, 'infra/monitoring/prometheus-rules.yaml'), 'utf8')) as { groups: unknown[] };
    const rule = findObject<KubernetesObject & { spec: { groups: unknown[] } }>(readManifestObjects(), 'PrometheusRule', 'portrait-farm');
    expect(rules.groups.length).toBeGreaterThan(0);
    expect(rule.spec.groups).toEqual(rules.groups);
  });
});
