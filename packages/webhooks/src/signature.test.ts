import { describe, expect, it } from 'vitest';
import { WebhookError } from './errors.ts';
import { generateSecret, parseSecret } from './secret.ts';
import { sign, verify } from './signature.ts';

// The example from the Standard Webhooks specification (spec/standard-webhooks.md, "Signature scheme"),
// also used by its reference libraries' tests.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const headersFor = (signature: string, id = SPEC.id, timestamp = SPEC.timestamp) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError);
    return (error as WebhookError).code;
  }
}

describe('Standard Webhooks signatures', () => {
  const atSpecTime = { now: SPEC.timestamp * 1000 };

  it('reproduces the specification example', () => {
    expect(sign(SPEC.secret, SPEC)).toBe(SPEC.signature);
    expect(sign(SPEC.secret, { ...SPEC, body: Buffer.from(SPEC.body) })).toBe(SPEC.signature);
    expect(verify(SPEC.secret, headersFor(SPEC.signature), SPEC.body, atSpecTime)).toEqual({
      id: SPEC.id,
      timestamp: SPEC.timestamp,
    });
  });

  it('accepts a secret without the whsec_ prefix and fetch-style Headers', () => {
    const headers = new Headers(headersFor(SPEC.signature));
    expect(verify('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers, SPEC.body, atSpecTime).id).toBe(SPEC.id);
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(codeOf(() => verify(SPEC.secret, headersFor(SPEC.signature), '{"test": 2432232315}', atSpecTime))).toBe(
      'WEBHOOK_BAD_SIGNATURE',
    );
    expect(codeOf(() => verify(SPEC.secret, headersFor(SPEC.signature, 'msg_other'), SPEC.body, atSpecTime))).toBe(
      'WEBHOOK_BAD_SIGNATURE',
    );
    const shifted = { now: (SPEC.timestamp + 1) * 1000 };
    expect(codeOf(() => verify(SPEC.secret, headersFor(SPEC.signature, SPEC.id, SPEC.timestamp + 1), SPEC.body, shifted))).toBe(
      'WEBHOOK_BAD_SIGNATURE',
    );
    expect(codeOf(() => verify(generateSecret(), headersFor(SPEC.signature), SPEC.body, atSpecTime))).toBe('WEBHOOK_BAD_SIGNATURE');
  });

  it('rejects old and future timestamps outside the tolerance', () => {
    const old = { now: (SPEC.timestamp + 301) * 1000 };
    expect(codeOf(() => verify(SPEC.secret, headersFor(SPEC.signature), SPEC.body, old))).toBe('WEBHOOK_BAD_TIMESTAMP');
    const early = { now: (SPEC.timestamp - 301) * 1000 };
    expect(codeOf(() => verify(SPEC.secret, headersFor(SPEC.signature), SPEC.body, early))).toBe('WEBHOOK_BAD_TIMESTAMP');
    const edge = { now: (SPEC.timestamp + 300) * 1000 };
    expect(verify(SPEC.secret, headersFor(SPEC.signature), SPEC.body, edge).id).toBe(SPEC.id);
    expect(codeOf(() => verify(SPEC.secret, headersFor(SPEC.signature), SPEC.body, { ...old, toleranceSeconds: 3600 }))).toBe(null);
    const message = (() => {
      try {
        verify(SPEC.secret, headersFor(SPEC.signature), SPEC.body, { now: Date.now() });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/too old: \d+ s from now, the tolerance is 300 s/);
  });

  it('finds the matching entry among several signatures and versions', () => {
    const other = sign(generateSecret(), SPEC);
    const header = `v1a,garbage ${other} v2,${SPEC.signature.slice(3)} ${SPEC.signature}`;
    expect(verify(SPEC.secret, headersFor(header), SPEC.body, atSpecTime).id).toBe(SPEC.id);
    expect(codeOf(() => verify(SPEC.secret, headersFor(`v2,${SPEC.signature.slice(3)}`), SPEC.body, atSpecTime))).toBe(
      'WEBHOOK_BAD_SIGNATURE',
    );
  });

  it('signs with every secret during a rotation and verifies with any of them', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const header = sign([oldSecret, newSecret], SPEC);
    expect(header.split(' ')).toHaveLength(2);
    expect(verify(newSecret, headersFor(header), SPEC.body, atSpecTime).id).toBe(SPEC.id);
    expect(verify([generateSecret(), oldSecret], headersFor(sign(oldSecret, SPEC)), SPEC.body, atSpecTime).id).toBe(SPEC.id);
  });

  it('names missing headers and bad secrets without revealing the secret', () => {
    expect(codeOf(() => verify(SPEC.secret, { 'webhook-id': SPEC.id }, SPEC.body, atSpecTime))).toBe('WEBHOOK_MISSING_HEADER');
    expect(codeOf(() => verify(SPEC.secret, { ...headersFor(SPEC.signature), 'webhook-timestamp': 'soon' }, SPEC.body))).toBe(
      'WEBHOOK_BAD_TIMESTAMP',
    );
    expect(codeOf(() => parseSecret('whsec_c2hvcnQ='))).toBe('WEBHOOK_BAD_SECRET');
    try {
      parseSecret('whsec_not base64 at all!');
    } catch (error) {
      expect((error as Error).message).not.toContain('not base64 at all');
    }
    expect(codeOf(() => sign(SPEC.secret, { ...SPEC, id: 'has space' }))).toBe('WEBHOOK_BAD_OPTION');
    expect(parseSecret(generateSecret())).toHaveLength(32);
  });
});
