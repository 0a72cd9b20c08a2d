import type { KubernetesObject } from './kubernetes-manifests.ts';

/** What kubernetes-models' classes have in common: built from plain data, validated against their JSON schema. */
export interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(): void };
}

/**
 * Validates `object` with `model`'s validator (generated from the Kubernetes OpenAPI or the CRD's schema) and also
 * refuses fields the schema does not define, as the API server's strict field validation does (`kubectl apply`
 * errors on them): the generated validators read every property their schema names and pass any other, so the
 * object is handed to them behind a proxy that records what they read. Objects whose keys the validator enumerates
 * (maps: labels, ConfigMap data, KEDA trigger metadata) accept any key, and so do objects it reads nothing of (a
 * schema that keeps unknown fields names no property to read). Returns the problems, [] when valid.
 */
export function validateStrictly(model: ModelClass, object: KubernetesObject): string[] {
  const reads = new WeakMap<object, { keys: Set<PropertyKey>; enumerated: boolean }>();
  const proxies = new WeakMap<object, object>();
  const track = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const existing = proxies.get(value);
    if (existing !== undefined) return existing;
    const record = { keys: new Set<PropertyKey>(), enumerated: false };
    reads.set(value, record);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        record.keys.add(key);
        return track(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        record.keys.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        record.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  try {
    model.prototype.validate.call(track(object));
  } catch (error) {
    return [(error as Error).message];
  }
  return unreadFields(object, reads);
}

/** The fields of objects whose named properties the validator read, that it never read: fields its schema lacks. */
function unreadFields(root: unknown, reads: WeakMap<object, { keys: Set<PropertyKey>; enumerated: boolean }>): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return;
    const record = reads.get(value);
    for (const [key, child] of Object.entries(value)) {
      const checked = record !== undefined && record.keys.size > 0 && !record.enumerated;
      if (!Array.isArray(value) && checked && !record.keys.has(key)) {
        problems.push(`data${path}/${key} is not a field of its schema`);
        continue;
      }
      visit(child, `${path}/${key}`);
    }
  };
  visit(root, '');
  return problems;
}
