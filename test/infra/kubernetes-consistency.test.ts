import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, loadConfig } from '@portrait-farm/config';
import { loadFarmConfig } from '@portrait-farm/job-steps';
import { STOP_GRACE_MS } from '@portrait-farm/process-supervision';
import { findObject, KUBERNETES_DIR, readKustomization, readManifestObjects, REPO_ROOT } from './kubernetes-manifests.ts';
import type { KubernetesObject } from './kubernetes-manifests.ts';
import { roleDeployments, selects } from './kubernetes-pods.ts';
import type { Container, EnvVar, ServiceObject } from './kubernetes-pods.ts';

// The manifests against the code they deploy, so that a renamed variable, route, port, field of the depth answer or
// version fails here rather than in a cluster: every variable a container gets is one its process reads, and the
// values parse; keys name ConfigMap and Secret entries that exist; probes and the autoscaler call routes of the
// OpenAPI document; ports and grace periods match the processes.

const objects = readManifestObjects();
const deployments = roleDeployments(objects);
const configMap = findObject<KubernetesObject & { data: Record<string, string> }>(objects, 'ConfigMap', 'portrait-farm-config');
const openapi = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/gateway/openapi.json'), 'utf8')) as OpenApiDocument;
const SECRET_NAME = 'portrait-farm-secrets';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: Array<Record<string, unknown>>; responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
}

/** KEY=value lines of secrets.example.env, and the text of its comments. */
function exampleSecrets(): { values: Record<string, string>; comments: string } {
  const lines = readFileSync(join(KUBERNETES_DIR, 'secrets.example.env'), 'utf8').split('\n');
  const values = Object.fromEntries(
    lines.filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { values, comments: lines.filter((line) => line.startsWith('#')).join('\n') };
}

/** Variables that libraries read themselves: the "Read by libraries" table of docs/configuration.md. */
function libraryVariables(): Set<string> {
  const doc = readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Read by libraries'));
  return new Set([...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!));
}

/** What the downward API gives a pod in these tests: an example of each field the manifests read. */
const POD_FIELDS: Readonly<Record<string, string>> = { 'status.podIP': '10.12.3.4' };

/**
 * The environment a container starts with, secrets taken from secrets.example.env, pod fields from POD_FIELDS, and
 * `$(NAME)` replaced by an earlier variable's value as the kubelet does.
 */
function containerEnvironment(container: Container): Record<string, string> {
  const secrets = exampleSecrets().values;
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    const value = variable.value ?? configMap.data[from?.configMapKeyRef?.key ?? ''] ?? secrets[from?.secretKeyRef?.key ?? ''] ?? POD_FIELDS[from?.fieldRef?.fieldPath ?? ''];
    if (value !== undefined) env[variable.name] = value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
  }
  return env;
}

/** A pod field (downward API) that another variable of the container names as `$(NAME)`: there only to be expanded. */
function isReferencedPodField(container: Container, variable: EnvVar): boolean {
  return variable.valueFrom?.fieldRef !== undefined && (container.env ?? []).some((other) => other.value?.includes(`$(${variable.name})`) === true);
}

function responseSchema(path: string): JsonSchema {
  const schema = openapi.paths[path]?.['get']?.responses['200']?.content?.['application/json']?.schema;
  if (schema === undefined) throw new Error(`the OpenAPI document has no JSON answer for GET ${path}`);
  return schema;
}

/** A GJSON dot path (what KEDA's valueLocation takes) through a JSON schema. */
function schemaAt(schema: JsonSchema, path: string): JsonSchema | undefined {
  return path.split('.').reduce<JsonSchema | undefined>((at, field) => at?.properties?.[field], schema);
}

function portNamed(container: Container, name: string): number | undefined {
  return container.ports?.find((port) => port.name === name)?.containerPort;
}

const roleNames = [...new Set(deployments.map(({ role }) => role))];

describe('infra/kubernetes against the configuration model', () => {
  it.each(deployments.map((d) => [d.component, d] as const))('the %s container gets only variables its process reads', (_component, { role, container }) => {
    const libraries = libraryVariables();
    const strays = (container.env ?? [])
      .filter((variable) => !isReferencedPodField(container, variable))
      .map(({ name }) => name)
      .filter((name) => {
        const variable = (ENVIRONMENT as Record<string, { readBy: readonly string[] } | undefined>)[name];
        return variable === undefined ? !libraries.has(name) : !variable.readBy.includes(role);
      });
    expect(strays).toEqual([]);
  });

  it.each(deployments.map((d) => [d.component, d] as const))('the %s container\'s environment parses with the configuration model', (_component, { role, container }) => {
    expect(() => loadConfig(role, containerEnvironment(container))).not.toThrow();
  });

  it('gives the workers the execution providers in the order of preference, CUDA first', () => {
    const worker = deployments.find(({ role }) => role === 'worker')!;
    expect(loadConfig('worker', containerEnvironment(worker.container)).providers).toEqual(['cuda', 'webgpu', 'cpu']);
  });

  it('takes every ConfigMap key a container names from the ConfigMap, and uses every key it has', () => {
    const refs = deployments.flatMap(({ container }) => (container.env ?? []).flatMap((v) => (v.valueFrom?.configMapKeyRef === undefined ? [] : [v.valueFrom.configMapKeyRef])));
    expect(refs.filter((ref) => ref.name !== configMap.metadata.name || !(ref.key in configMap.data))).toEqual([]);
    expect(Object.keys(configMap.data).filter((key) => !refs.some((ref) => ref.key === key))).toEqual([]);
  });

  it('takes secrets from the one Secret, every required key listed in secrets.example.env and every listed key used', () => {
    const { values, comments } = exampleSecrets();
    const refs = deployments.flatMap(({ container }) => (container.env ?? []).flatMap((v) => (v.valueFrom?.secretKeyRef === undefined ? [] : [v.valueFrom.secretKeyRef])));
    const triggerAuth = findObject<KubernetesObject & { spec: { secretTargetRef: Array<{ name: string; key: string }> } }>(objects, 'TriggerAuthentication', 'portrait-farm-operator');
    const all = [...refs, ...triggerAuth.spec.secretTargetRef];
    expect(all.filter((ref) => ref.name !== SECRET_NAME).map((ref) => ref.name)).toEqual([]);
    expect(refs.filter((ref) => ref.optional !== true && !(ref.key in values)).map((ref) => ref.key)).toEqual([]);
    // An optional key the env file cannot hold (the PEM signing key) is at least explained in its comments.
    expect(refs.filter((ref) => !(ref.key in values) && !comments.includes(ref.key)).map((ref) => ref.key)).toEqual([]);
    expect(Object.keys(values).filter((key) => !all.some((ref) => ref.key === key))).toEqual([]);
  });
});

describe('infra/kubernetes against the processes', () => {
  const versions = Object.fromEntries(roleNames.map((role) => [role, (JSON.parse(readFileSync(join(REPO_ROOT, `apps/${role}/package.json`), 'utf8')) as { version: string }).version]));

  it.each(deployments.map((d) => [d.component, d] as const))('the %s container runs its app\'s compiled entry from an image of its version', (_component, { role, container }) => {
    expect(container.command).toEqual(['node', `apps/${role}/dist/main.js`]);
    const [image, tag] = container.image.split(':');
    expect(tag).toBe(versions[role]);
    // Workers run the CUDA image (infra/docker/Dockerfile.gpu); the others the CPU one (infra/docker/Dockerfile).
    expect(image).toBe(role === 'worker' ? 'portrait-farm-gpu' : 'portrait-farm');
  });

  it('serves the gateway on the port PORT gives it, and probes routes the gateway has', () => {
    const { container } = deployments.find(({ role }) => role === 'gateway')!;
    expect(portNamed(container, 'http')).toBe(loadConfig('gateway', containerEnvironment(container)).port);
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect(probe?.httpGet?.port).toBe('http');
      expect(Object.keys(openapi.paths[probe!.httpGet!.path] ?? {})).toContain('get');
    }
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
  });

  it('names the workers\' and the stitcher\'s metrics port as PORTRAIT_FARM_METRICS_PORT sets it', () => {
    for (const { role, container } of deployments.filter((d) => d.role !== 'gateway')) {
      const config = loadConfig(role, containerEnvironment(container)) as { metricsPort?: number };
      expect(config.metricsPort, role).toBeDefined();
      expect(portNamed(container, 'metrics'), role).toBe(config.metricsPort);
    }
  });

  it('puts each worker on a GPU node with one GPU of its own', () => {
    for (const { deployment, container } of deployments.filter(({ role }) => role === 'worker')) {
      const pod = deployment.spec.template.spec as { nodeSelector?: Record<string, string>; tolerations?: Array<{ key: string; operator: string; effect: string }> };
      const resources = (container as { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }).resources;
      expect(resources?.limits?.['nvidia.com/gpu'], deployment.metadata.name).toBe('1');
      expect(resources?.requests?.['nvidia.com/gpu'], deployment.metadata.name).toBe('1');
      expect(pod.nodeSelector, deployment.metadata.name).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(pod.tolerations, deployment.metadata.name).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    }
    for (const { role, deployment: other } of deployments.filter((d) => d.role !== 'worker')) {
      expect((other.spec.template.spec as { nodeSelector?: unknown }).nodeSelector, role).toBeUndefined();
    }
  });

  it('gives the workers and the stitcher time to finish their steps before they are killed', () => {
    for (const { deployment, container } of deployments.filter((d) => d.role !== 'gateway')) {
      const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
      expect(preStop[0], deployment.metadata.name).toBe('sleep');
      const preStopSeconds = Number(preStop[1]);
      const grace = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
      // The hook's time counts against the grace period; then the process needs STOP_GRACE_MS and a moment to close.
      expect(grace, deployment.metadata.name).toBeGreaterThanOrEqual(preStopSeconds + STOP_GRACE_MS / 1000 + 10);
    }
  });

  it('lets each Deployment select its own pods and each Service reach a named container port', () => {
    for (const { deployment } of deployments) expect(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    const services = objects.map(({ object }) => object).filter((object): object is ServiceObject => object.kind === 'Service');
    for (const service of services) {
      const targets = deployments.filter(({ deployment }) => selects(service.spec.selector, deployment.spec.template.metadata.labels));
      expect(targets.map(({ role }) => role), service.metadata.name).toHaveLength(1);
      for (const port of service.spec.ports) expect(portNamed(targets[0]!.container, String(port.targetPort)), `${service.metadata.name} ${port.name}`).toBe(port.port);
    }
  });

  it('scrapes /metrics, a route of the gateway, on ports each farm role\'s Service has', () => {
    const monitor = findObject<KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> } }>(objects, 'ServiceMonitor', 'portrait-farm');
    expect(Object.keys(openapi.paths['/metrics'] ?? {})).toContain('get');
    const services = objects.map(({ object }) => object).filter((object): object is ServiceObject => object.kind === 'Service' && selects(monitor.spec.selector.matchLabels, object.metadata.labels));
    const scraped = services.filter((service) => service.spec.ports.some((port) => monitor.spec.endpoints.some((endpoint) => endpoint.port === port.name)));
    expect(scraped.map((service) => service.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual(deployments.map(({ component }) => component).sort());
    expect(monitor.spec.endpoints.every((endpoint) => endpoint.path === '/metrics')).toBe(true);
  });
});

describe('the KEDA ScaledObject against GET /v1/queue/depth', () => {
  interface Trigger {
    type: string;
    authenticationRef: { name: string };
    metadata: Record<string, string>;
  }
  const scaled = findObject<KubernetesObject & { spec: { scaleTargetRef: { name: string }; minReplicaCount: number; triggers: Trigger[] } }>(objects, 'ScaledObject', 'portrait-farm-worker');
  const [trigger] = scaled.spec.triggers;
  const url = new URL(trigger!.metadata['url']!);

  it('scales the worker Deployment, down to zero', () => {
    const worker = deployments.find(({ role }) => role === 'worker')!;
    expect(scaled.spec.scaleTargetRef.name).toBe(worker.deployment.metadata.name);
    expect(scaled.spec.minReplicaCount).toBe(0);
    expect(scaled.spec.triggers).toHaveLength(1);
    expect(trigger!.type).toBe('metrics-api');
    // The HPA KEDA creates owns the count: a replicas field would reset it at every apply.
    expect((worker.deployment.spec as { replicas?: number }).replicas).toBeUndefined();
  });

  it('calls the gateway\'s Service by its name in the kustomization\'s namespace, on its port', () => {
    const gateway = findObject<ServiceObject>(objects, 'Service', 'portrait-farm-gateway');
    expect(url.hostname).toBe(`${gateway.metadata.name}.${readKustomization().namespace}.svc.cluster.local`);
    expect(Number(url.port)).toBe(gateway.spec.ports.find((port) => port.name === 'http')?.port);
  });

  it('reads an integer field of the route\'s answer, with the operator key as a bearer token', () => {
    const operation = openapi.paths[url.pathname]?.['get'];
    expect(operation, `GET ${url.pathname}`).toBeDefined();
    expect(schemaAt(responseSchema(url.pathname), trigger!.metadata['valueLocation']!)?.type).toBe('integer');
    const schemes = (operation!.security ?? []).flatMap((requirement) => Object.keys(requirement)).map((name) => openapi.components.securitySchemes[name]);
    expect(schemes).toEqual([{ ...schemes[0], type: 'http', scheme: 'bearer' }]);
    expect(trigger!.metadata['authMode']).toBe('bearer');
    const auth = findObject<KubernetesObject & { spec: { secretTargetRef: Array<{ parameter: string; key: string }> } }>(objects, 'TriggerAuthentication', trigger!.authenticationRef.name);
    expect(auth.spec.secretTargetRef).toEqual([expect.objectContaining({ parameter: 'token', key: 'PORTRAIT_FARM_OPERATOR_KEY' })]);
    expect(ENVIRONMENT.PORTRAIT_FARM_OPERATOR_KEY.readBy).toContain('gateway');
  });

  it('wants one worker per segment steps a worker runs at once, and wakes from zero at the first step waiting', () => {
    const worker = deployments.find(({ role }) => role === 'worker')!;
    expect(Number(trigger!.metadata['targetValue'])).toBe(loadConfig('worker', containerEnvironment(worker.container)).segmentConcurrency);
    expect(Number(trigger!.metadata['activationTargetValue'])).toBe(0);
  });
});

describe('realtime sessions on Kubernetes', () => {
  const sessionWorker = deployments.find(({ component }) => component === 'session-worker')!;
  const sessionConfig = loadFarmConfig(containerEnvironment(sessionWorker.container), { packDir: '/pack' });
  const renderWorker = deployments.find(({ component }) => component === 'worker')!;
  const gatewayPod = deployments.find(({ role }) => role === 'gateway')!;
  interface PolicyObject extends KubernetesObject {
    spec: {
      podSelector: { matchLabels?: Record<string, string> };
      ingress: Array<{ from?: Array<{ podSelector?: { matchLabels?: Record<string, string> } }>; ports?: Array<{ port: string | number }> }>;
    };
  }
  const policies = objects.map(({ object }) => object).filter((object): object is PolicyObject => object.kind === 'NetworkPolicy');

  it('runs session workers that take no batch step and host sessions on their named session port, at the pod\'s IP', () => {
    expect(sessionConfig.workerRole).toBe('sessions');
    expect(sessionConfig.sessions.perWorker).toBeGreaterThan(0);
    expect(portNamed(sessionWorker.container, 'session')).toBe(sessionConfig.sessions.port);
    expect(sessionConfig.sessions.internalUrl).toBe(`ws://${POD_FIELDS['status.podIP']}:${sessionConfig.sessions.port}`);
    // Their count is theirs: the render workers' ScaledObject (down to zero) does not scale them.
    const scaledTargets = objects.filter(({ object }) => object.kind === 'ScaledObject').map(({ object }) => (object as unknown as { spec: { scaleTargetRef: { name: string } } }).spec.scaleTargetRef.name);
    expect(scaledTargets).not.toContain(sessionWorker.deployment.metadata.name);
    expect((sessionWorker.deployment.spec as { replicas?: number }).replicas).toBeGreaterThan(0);
  });

  it('keeps sessions off the render workers, which KEDA stops when no step waits', () => {
    const config = loadFarmConfig(containerEnvironment(renderWorker.container), { packDir: '/pack' });
    expect(config.workerRole).toBe('render');
    expect(config.sessions.perWorker).toBe(0);
  });

  it('opens the session port to the gateway pods alone', () => {
    const labels = sessionWorker.deployment.spec.template.metadata.labels;
    const rules = policies.filter((policy) => selects(policy.spec.podSelector.matchLabels ?? {}, labels)).flatMap((policy) => policy.spec.ingress);
    const sessionRules = rules.filter((rule) => (rule.ports ?? []).some((port) => port.port === 'session' || port.port === sessionConfig.sessions.port));
    expect(sessionRules).not.toEqual([]);
    for (const rule of sessionRules) {
      expect(rule.from, 'a rule opening the session port names who may connect').toBeDefined();
      for (const peer of rule.from!) {
        const reached = deployments.filter(({ deployment }) => selects(peer.podSelector?.matchLabels ?? { none: 'none' }, deployment.spec.template.metadata.labels));
        expect(reached.map(({ component }) => component)).toEqual(['gateway']);
      }
    }
    // No rule opens every port of the pods (a rule without ports would).
    expect(rules.filter((rule) => rule.ports === undefined)).toEqual([]);
  });

  it('lets the gateway\'s Ingress keep a session\'s WebSocket open as long as a session may last, on the public URL\'s host', () => {
    const ingress = findObject<KubernetesObject & { metadata: { annotations: Record<string, string> }; spec: { rules: Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string; port: { name: string } } } }> } }> } }>(
      objects,
      'Ingress',
      'portrait-farm-gateway',
    );
    const maxSeconds = ENVIRONMENT.PORTRAIT_FARM_SESSION_MAX_SECONDS.default as number;
    for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) expect(Number(ingress.metadata.annotations[`nginx.ingress.kubernetes.io/${name}`])).toBeGreaterThanOrEqual(maxSeconds);
    expect(ingress.spec.rules.map((rule) => rule.host)).toEqual([new URL(configMap.data['PORTRAIT_FARM_PUBLIC_URL']!).hostname]);
    const backend = ingress.spec.rules[0]!.http.paths[0]!.backend.service;
    const service = findObject<ServiceObject>(objects, 'Service', backend.name);
    expect(selects(service.spec.selector, gatewayPod.deployment.spec.template.metadata.labels)).toBe(true);
    expect(service.spec.ports.map((port) => port.name)).toContain(backend.port.name);
  });
});
