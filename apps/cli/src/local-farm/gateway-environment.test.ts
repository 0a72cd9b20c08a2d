// Issue 19, item 3: PORTRAIT_FARM_MAX_CONCURRENT_JOBS set for `up` did not reach its gateway (every PORTRAIT_FARM_*
// was dropped); now every gateway variable of the config model does, but those the local farm sets itself.
import { ENVIRONMENT } from '@portrait-farm/config';
import { describe, expect, it } from 'vitest';
import { GATEWAY_PASS_THROUGH_VARIABLES, gatewayEnvironment, LOCAL_FARM_OWNED_VARIABLES } from './gateway-environment.ts';

describe('gatewayEnvironment', () => {
  it("passes the caller's gateway limits and settings, and what is not the farm's", () => {
    const env = gatewayEnvironment({
      PATH: '/bin',
      AWS_REGION: 'eu-west-1',
      PORTRAIT_FARM_MAX_CONCURRENT_JOBS: '2',
      PORTRAIT_FARM_RETENTION_DAYS: '3',
      PORTRAIT_FARM_FACE_CHECK: '0',
      PORTRAIT_FARM_WATERMARK_KEY: 'watermark-key-0123456789',
    });
    expect(env).toEqual({
      PATH: '/bin',
      AWS_REGION: 'eu-west-1',
      PORTRAIT_FARM_MAX_CONCURRENT_JOBS: '2',
      PORTRAIT_FARM_RETENTION_DAYS: '3',
      PORTRAIT_FARM_FACE_CHECK: '0',
      PORTRAIT_FARM_WATERMARK_KEY: 'watermark-key-0123456789',
    });
  });

  it('drops what the farm owns, what only other processes read, and unknown farm variables', () => {
    const env = gatewayEnvironment({
      PORTRAIT_FARM_REDIS_URL: 'redis://elsewhere:6379',
      PORTRAIT_FARM_API_KEYS: 'some-key-0001:alice',
      PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: '1',
      PORTRAIT_FARM_PREFIX: 'other',
      PORT: '9999',
      PORTRAIT_FARM_LOCK_MS: '3000',
      PORTRAIT_FARM_VERBOSE: '1',
      PORTRAIT_FARM_NOT_A_VARIABLE: 'x',
    });
    expect(env).toEqual({});
  });

  it('derives the list from the config model: every gateway variable is passed or owned by the farm', () => {
    const gatewayVariables = Object.entries(ENVIRONMENT).filter(([, v]) => (v.readBy as readonly string[]).includes('gateway')).map(([name]) => name);
    expect(new Set([...GATEWAY_PASS_THROUGH_VARIABLES, ...LOCAL_FARM_OWNED_VARIABLES])).toEqual(new Set(gatewayVariables));
    expect(GATEWAY_PASS_THROUGH_VARIABLES).toContain('PORTRAIT_FARM_MAX_CONCURRENT_JOBS');
    expect(GATEWAY_PASS_THROUGH_VARIABLES).not.toContain('PORTRAIT_FARM_REDIS_URL');
  });
});
