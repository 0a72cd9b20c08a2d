import type { KubernetesObject, ManifestObject } from './kubernetes-manifests.ts';

// The parts of the manifests' Deployments the consistency checks read, typed.

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    /** The downward API: a field of the pod (status.podIP). */
    fieldRef?: { fieldPath: string };
  };
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

export interface PodDeployment extends KubernetesObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
    };
  };
}

export interface ServiceObject extends KubernetesObject {
  spec: { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string | number }> };
}

/** The farm processes (apps) a Deployment may run. */
export const ROLES = ['gateway', 'worker', 'stitcher'] as const;
export type FarmRole = (typeof ROLES)[number];

/** Each Deployment's component label and the farm process it runs: session workers are workers with another role. */
export const COMPONENTS = [
  { component: 'gateway', role: 'gateway' },
  { component: 'worker', role: 'worker' },
  { component: 'session-worker', role: 'worker' },
  { component: 'stitcher', role: 'stitcher' },
] as const satisfies ReadonlyArray<{ component: string; role: FarmRole }>;

export interface RoleDeployment {
  role: FarmRole;
  component: (typeof COMPONENTS)[number]['component'];
  deployment: PodDeployment;
  container: Container;
}

/** Each component's Deployment and its one container; throws when a component has none or several. */
export function roleDeployments(objects: readonly ManifestObject[]): RoleDeployment[] {
  return COMPONENTS.map(({ component, role }) => {
    const found = objects
      .map(({ object }) => object)
      .filter((object): object is PodDeployment => object.kind === 'Deployment' && object.metadata.labels?.['app.kubernetes.io/component'] === component);
    if (found.length !== 1) throw new Error(`expected one Deployment with component ${component}, found ${found.length}`);
    const deployment = found[0]!;
    const containers = deployment.spec.template.spec.containers;
    if (containers.length !== 1) throw new Error(`${deployment.metadata.name} has ${containers.length} containers; expected 1`);
    return { role, component, deployment, container: containers[0]! };
  });
}

/** Whether every label of `selector` is on `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}
