import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { buildGateway } from '../build-gateway.ts';
import type { BuildGatewayOptions, Gateway } from '../build-gateway.ts';
import type { GatewayConfig, GatewayLimits } from '../config.ts';
import { openInputChecker } from '../input-check-thread.ts';
import type { InputChecker } from '../input-check-thread.ts';
import { portraitPng, wavTone } from './media-fixtures.ts';
import { multipartBody } from './multipart-body.ts';
import type { MultipartPart } from './multipart-body.ts';

export const KEY_A = 'key-tenant-a-0001';
export const KEY_B = 'key-tenant-b-0002';
export const BASE_URL = 'http://gateway.test';

/** One redis-server for a test file; each gateway built on it gets its own key prefix and storage folder. */
export class GatewayHarness {
  private constructor(readonly redis: RedisServerProcess) {}
  private readonly cleanups: Array<() => Promise<void>> = [];
  /** Input-check threads (with the starter pack's face models, and without), started once for the file's gateways. */
  private readonly checkers = new Map<boolean, Promise<InputChecker>>();

  static async start(): Promise<GatewayHarness> {
    return new GatewayHarness(await startRedisServer());
  }

  async gateway(overrides: Partial<GatewayConfig> & { limits?: GatewayLimits } = {}, options: BuildGatewayOptions = {}): Promise<Gateway> {
    const dir = await mkdtemp(join(tmpdir(), 'pf-gateway-store-'));
    const faceCheck = overrides.faceCheck ?? true;
    const shared = options.inputChecker === undefined && overrides.packDir === undefined;
    if (shared && !this.checkers.has(faceCheck)) this.checkers.set(faceCheck, openInputChecker(faceCheck ? STARTER_PACK : null));
    const inputChecker = shared ? { inputChecker: await this.checkers.get(faceCheck)! } : {};
    const gateway = await buildGateway({
      redisUrl: this.redis.url,
      storageUrl: dir,
      publicBaseUrl: BASE_URL,
      presignSecret: 'test-presign-secret-0123456789',
      apiKeys: { [KEY_A]: 'tenant-a', [KEY_B]: 'tenant-b' },
      prefix: uniquePrefix(),
      ...overrides,
    }, { ...inputChecker, ...options });
    this.cleanups.push(async () => {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    });
    return gateway;
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    for (const checker of this.checkers.values()) await (await checker).close();
    await this.redis.close();
  }
}

export interface JobForm {
  image?: Buffer;
  audio?: Buffer;
  options?: object | string;
  webhook?: object;
  priority?: number;
  /** The consent field: {"attestation": true} unless given; null leaves it out. */
  consent?: object | string | null;
}

/** The consent attestation every create request of the tests sends. */
export const CONSENT = Object.freeze({ attestation: true });

/** The consent field as a multipart part, for tests that build their own bodies. */
export const CONSENT_PART: MultipartPart = Object.freeze({ name: 'consent', value: JSON.stringify(CONSENT) });

let defaultImage: Buffer | null = null;
const defaultAudio = wavTone(1);

/** A multipart create request (the test portrait as a 320x320 PNG and 1 s of WAV unless given). */
export async function jobForm(form: JobForm = {}): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  defaultImage ??= await portraitPng();
  const parts: MultipartPart[] = [];
  const consent = form.consent === undefined ? CONSENT : form.consent;
  if (consent !== null) parts.push({ name: 'consent', value: typeof consent === 'string' ? consent : JSON.stringify(consent) });
  if (form.options !== undefined) parts.push({ name: 'options', value: typeof form.options === 'string' ? form.options : JSON.stringify(form.options) });
  if (form.webhook !== undefined) parts.push({ name: 'webhook', value: JSON.stringify(form.webhook) });
  if (form.priority !== undefined) parts.push({ name: 'priority', value: String(form.priority) });
  parts.push({ name: 'image', value: form.image ?? defaultImage, filename: 'portrait.png', contentType: 'image/png' });
  parts.push({ name: 'audio', value: form.audio ?? defaultAudio, filename: 'speech.wav', contentType: 'audio/wav' });
  return multipartBody(parts);
}

export function auth(key: string = KEY_A, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, ...extra };
}
