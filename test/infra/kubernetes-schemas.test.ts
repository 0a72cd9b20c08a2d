import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_DIR, readKustomization, readManifestObjects } from './kubernetes-manifests.ts';
import type { KubernetesObject } from './kubernetes-manifests.ts';
import { MODEL_BY_TYPE } from './kubernetes-models-registry.ts';
import { validateStrictly } from './strict-schema-validation.ts';

// Every object of infra/kubernetes against the JSON schema of its kind, CRDs included (KEDA, Prometheus operator),
// with unknown fields refused as the API server's strict validation refuses them.

const objects = readManifestObjects();

function problemsOf(object: KubernetesObject): string[] {
  const model = MODEL_BY_TYPE.get(`${object.apiVersion} ${object.kind}`);
  if (model === undefined) return [`no schema for ${object.apiVersion} ${object.kind} (test/infra/kubernetes-models-registry.ts)`];
  return validateStrictly(model, object);
}

describe('infra/kubernetes', () => {
  it('lists every manifest of its folder in the kustomization', () => {
    const files = readdirSync(KUBERNETES_DIR).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml');
    expect([...readKustomization().resources].sort()).toEqual(files.sort());
  });

  it.each(objects.map(({ file, object }) => [`${file}: ${object.kind} ${object.metadata.name}`, object] as const))('%s is valid against its schema', (_name, object) => {
    expect(problemsOf(object)).toEqual([]);
  });

  it('names each object once per kind and leaves the namespace to the kustomization', () => {
    const names = objects.map(({ object }) => `${object.kind}/${object.metadata.name}`);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
    expect(objects.filter(({ object }) => object.metadata.namespace !== undefined).map(({ file }) => file)).toEqual([]);
  });
});

describe('the strict schema check', () => {
  const deployment = objects.find(({ object }) => object.kind === 'Deployment')!.object;

  it('refuses a misspelt field that the generated validator alone lets through', () => {
    const misspelt = structuredClone(deployment) as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    misspelt.spec.template.spec.containers[0]!['resourcs'] = {};
    expect(problemsOf(misspelt as unknown as KubernetesObject)).toEqual(['data/spec/template/spec/containers/0/resourcs is not a field of its schema']);
  });

  it('refuses a misspelt field of a custom resource (KEDA\'s ScaledObject) and takes any key of a map (trigger metadata)', () => {
    const scaledObject = objects.find(({ object }) => object.kind === 'ScaledObject')!.object;
    const misspelt = structuredClone(scaledObject) as unknown as { spec: Record<string, unknown> & { triggers: Array<{ metadata: Record<string, string> }> } };
    misspelt.spec['cooldownPeriode'] = 300;
    misspelt.spec.triggers[0]!.metadata['anyParameter'] = 'x';
    expect(problemsOf(misspelt as unknown as KubernetesObject)).toEqual(['data/spec/cooldownPeriode is not a field of its schema']);
  });

  it('refuses a value of the wrong type', () => {
    const wrong = structuredClone(deployment) as unknown as { spec: { replicas: unknown } };
    wrong.spec.replicas = 'two';
    expect(problemsOf(wrong as unknown as KubernetesObject).join('\n')).toContain('data/spec/replicas must be integer');
  });
});
