import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ExpirationStatus, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import type { BucketLifecycleConfiguration, LifecycleRule } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENVIRONMENT } from '@portrait-farm/config';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { createStorage } from '@portrait-farm/storage';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { findObject, readManifestObjects, REPO_ROOT } from './kubernetes-manifests.ts';
import type { KubernetesObject } from './kubernetes-manifests.ts';

// infra/s3/lifecycle.json, the backstop of the farm's retention: a lifecycle configuration the AWS SDK sends as it
// is (a misspelt or unknown field is dropped by the SDK's serializer, so the request is compared with the file),
// that keeps S3's own rules (ids, one filter, an action, positive days), and whose prefixes are where the storage
// driver really writes a job's objects (s3rver, through the deployments' storage URL). s3rver has no lifecycle API:
// the request goes to a local HTTP server that records it.

const lifecycle = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/s3/lifecycle.json'), 'utf8')) as BucketLifecycleConfiguration;
const rules: LifecycleRule[] = lifecycle.Rules ?? [];
const RETENTION_MARGIN_DAYS = 7;
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const CREDENTIALS_ENV = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };

const configMap = findObject<KubernetesObject & { data: Record<string, string> }>(readManifestObjects(), 'ConfigMap', 'portrait-farm-config');
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { 'x-farm-env': Record<string, string> };

/** Bucket and key prefix of a storage URL, as the storage driver reads it. */
function bucketAndPrefix(storageUrl: string): { bucket: string; prefix: string } {
  const location = createStorage(storageUrl, { env: CREDENTIALS_ENV }).location;
  const match = /^s3:\/\/([^/]+)\/(\S*)/.exec(location);
  if (match === null) throw new Error(`${storageUrl} is not S3 storage (${location})`);
  return { bucket: match[1]!, prefix: match[2]! };
}
function ruleById(id: string): LifecycleRule {
  const rule = rules.find((r) => r.ID === id);
  if (rule === undefined) throw new Error(`infra/s3/lifecycle.json has no rule ${id}`);
  return rule;
}

/** Every leaf of a JSON value as "name=value", named by its nearest object key. */
function jsonLeaves(value: unknown, name = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => jsonLeaves(item, name));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => jsonLeaves(item, key));
  return [`${name}=${String(value)}`];
}

/** Every element of an XML document that holds only text, as "name=text". */
function xmlLeaves(xml: string): string[] {
  return [...xml.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((match) => `${match[1]}=${match[2]}`);
}

describe('infra/s3/lifecycle.json', () => {
  it('is sent whole by the AWS SDK as a PutBucketLifecycleConfiguration request', async () => {
    const requests: Array<{ method: string; url: string; body: string }> = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({ method: request.method ?? '', url: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new S3Client({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 1 });
      await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'portrait-farm', LifecycleConfiguration: lifecycle }));
      client.destroy();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe('PUT');
    expect(request!.url).toMatch(/^\/portrait-farm\/?\?lifecycle/);
    expect(request!.body).toMatch(/^<\?xml[^>]*>\s*<LifecycleConfiguration xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
    expect(xmlLeaves(request!.body).sort()).toEqual(jsonLeaves(lifecycle).sort());
  });

  it('keeps S3\'s rules: unique ids of at most 255 characters, a known status, one filter, an action, whole positive days', () => {
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules.map((rule) => rule.ID)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.ID?.length, JSON.stringify(rule)).toBeLessThanOrEqual(255);
      expect(Object.values(ExpirationStatus)).toContain(rule.Status);
      expect(rule.Filter?.Prefix, `${rule.ID}: a Filter with a Prefix (the older rule-level Prefix is deprecated)`).toBeTypeOf('string');
      expect(rule.Expiration ?? rule.AbortIncompleteMultipartUpload ?? rule.NoncurrentVersionExpiration ?? rule.Transitions, `${rule.ID}: an action`).toBeDefined();
      for (const days of [rule.Expiration?.Days, rule.NoncurrentVersionExpiration?.NoncurrentDays, rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation]) {
        if (days !== undefined) expect(Number.isInteger(days) && days > 0, `${rule.ID}: ${days} days`).toBe(true);
      }
    }
  });

  it('expires job objects only after the farm\'s retention, with a margin, default and configured', () => {
    const days = ruleById('portrait-farm-jobs-past-retention').Expiration?.Days ?? 0;
    const retention = ENVIRONMENT.PORTRAIT_FARM_RETENTION_DAYS.default;
    expect(days).toBe(retention + RETENTION_MARGIN_DAYS);
    expect(days).toBeGreaterThanOrEqual(Number(configMap.data['PORTRAIT_FARM_RETENTION_DAYS']) + RETENTION_MARGIN_DAYS);
  });

  it('uses the key prefix of the storage URL the Kubernetes manifests and docker-compose.yml give the farm', () => {
    const { prefix } = bucketAndPrefix(configMap.data['PORTRAIT_FARM_STORAGE_URL']!);
    expect(bucketAndPrefix(compose['x-farm-env']['PORTRAIT_FARM_STORAGE_URL']!).prefix).toBe(prefix);
    const jobsRoot = jobStorageKeys.root('JOB').slice(0, -'JOB/'.length);
    expect(ruleById('portrait-farm-jobs-past-retention').Filter?.Prefix).toBe(`${prefix}${jobsRoot}`);
    expect(ruleById('portrait-farm-incomplete-uploads').Filter?.Prefix).toBe(prefix);
  });
});

describe('infra/s3/lifecycle.json against the objects the storage driver writes', () => {
  let s3: S3rverProcess;
  const deployedUrl = configMap.data['PORTRAIT_FARM_STORAGE_URL']!;
  const { bucket } = bucketAndPrefix(deployedUrl);

  beforeAll(async () => {
    s3 = await startS3rver([bucket]);
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('matches every object of a job with the jobs rule, and leaves no probe object behind', async () => {
    const url = new URL(deployedUrl);
    url.searchParams.set('endpoint', s3.endpoint);
    url.searchParams.set('forcePathStyle', 'true');
    url.searchParams.set('checksums', 'WHEN_REQUIRED');
    const storage = createStorage(url.href, { env: CREDENTIALS_ENV });
    const jobId = 'lifecycle-job';
    const keys = [
      `${jobStorageKeys.inputPrefix(jobId)}image.png`,
      `${jobStorageKeys.workPrefix(jobId)}clip.bin`,
      jobStorageKeys.chunk(jobId, 0),
      jobStorageKeys.output(jobId),
      jobStorageKeys.manifest(jobId),
    ];
    for (const key of keys) await storage.putIfAbsent(key, Buffer.from(key));
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    client.destroy();
    await storage.close();
    const objectKeys = (listed.Contents ?? []).map((object) => object.Key!);
    expect(objectKeys).toHaveLength(keys.length);
    const rulesMatching = (key: string): string[] => rules.filter((rule) => key.startsWith(rule.Filter!.Prefix!) && rule.Expiration !== undefined).map((rule) => rule.ID!);
    expect(objectKeys.map((key) => [key, rulesMatching(key)])).toEqual(objectKeys.map((key) => [key, ['portrait-farm-jobs-past-retention']]));
  });
});
