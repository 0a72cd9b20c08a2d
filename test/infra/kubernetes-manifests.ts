import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

// The objects `kubectl apply -k infra/kubernetes` creates, read the way kustomize reads them: the kustomization's
// resources in order, every YAML document of each. Only the kustomization features the farm's uses are followed
// (resources and namespace); anything else in it is refused, so this reader cannot silently diverge from kustomize.

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KUBERNETES_DIR = join(REPO_ROOT, 'infra/kubernetes');

/** A Kubernetes object as written in a manifest. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** An object and the file it came from. */
export interface ManifestObject {
  file: string;
  object: KubernetesObject;
}

export interface Kustomization {
  namespace: string;
  resources: string[];
}

const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources']);

export function readKustomization(): Kustomization {
  const text = readFileSync(join(KUBERNETES_DIR, 'kustomization.yaml'), 'utf8');
  const parsed = parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);
  const [kustomization] = parsed;
  if (parsed.length !== 1 || kustomization === undefined) throw new Error(`kustomization.yaml holds ${parsed.length} documents; expected 1`);
  const unknown = Object.keys(kustomization).filter((field) => !KUSTOMIZATION_FIELDS.has(field));
  if (unknown.length > 0) throw new Error(`kustomization.yaml uses ${unknown.join(', ')}, which this reader does not follow; teach it before relying on them`);
  const { namespace, resources } = kustomization;
  if (typeof namespace !== 'string') throw new Error('kustomization.yaml has no namespace');
  if (!Array.isArray(resources) || !resources.every((r): r is string => typeof r === 'string')) throw new Error('kustomization.yaml resources must be a list of file names');
  return { namespace, resources };
}

function readManifestFile(file: string): KubernetesObject[] {
  const documents = parseAllDocuments(readFileSync(join(KUBERNETES_DIR, file), 'utf8'));
  return documents.map((document, index) => {
    if (document.errors.length > 0) throw new Error(`${file}, document ${index + 1}: ${document.errors.map((e) => e.message).join('; ')}`);
    const object = document.toJS() as Partial<KubernetesObject> | null;
    if (object === null || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new Error(`${file}, document ${index + 1}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    return object as KubernetesObject;
  });
}

/** Every object of the kustomization, in the order of its resources. */
export function readManifestObjects(): ManifestObject[] {
  return readKustomization().resources.flatMap((file) => readManifestFile(file).map((object) => ({ file, object })));
}

/** The one object of that kind and name; throws naming what is missing. */
export function findObject<T = KubernetesObject>(objects: readonly ManifestObject[], kind: string, name: string): T {
  const found = objects.find(({ object }) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} named ${name} in infra/kubernetes`);
  return found.object as T;
}
