import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiKeyProblem, tenantIdProblem, webhookSecretProblem } from './environment.ts';
import { maskUrl } from './mask.ts';
import { flag, integer, list, oneOf, path, secret, storageLocation, tenantPairs, text, url } from './value-forms.ts';

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const webhookSecrets = tenantPairs({
  tenantSide: 'left',
  tenantCheck: tenantIdProblem,
  other: { name: 'whsec_<base64>', check: webhookSecretProblem, secret: true },
  uniqueOther: false,
});
const apiKeys = tenantPairs({ tenantSide: 'right', tenantCheck: tenantIdProblem, other: { name: 'key', check: apiKeyProblem, secret: true }, uniqueOther: true });

describe('value forms', () => {
  it('integer: whole numbers in the range', () => {
    const form = integer(1, 32);
    expect(form.kind).toBe('integer');
    expect(form.expected).toBe('an integer from 1 to 32');
    expect(form.parse(' 4 ')).toEqual({ ok: true, value: 4 });
    expect(form.parse('0')).toEqual({ ok: false, reason: null });
    expect(form.parse('33')).toEqual({ ok: false, reason: null });
    expect(form.parse('2.5')).toEqual({ ok: false, reason: 'not a whole number' });
    expect(form.parse('ten')).toEqual({ ok: false, reason: 'not a whole number' });
    expect(form.check(8)).toEqual({ ok: true, value: 8 });
    expect(form.check(8.5).ok).toBe(false);
    expect(form.check('8').ok).toBe(false);
  });

  it('flag: 1, 0, true, false in any case', () => {
    const form = flag();
    expect(['1', 'true', 'TRUE'].map((t) => form.parse(t))).toEqual(Array(3).fill({ ok: true, value: true }));
    expect(['0', 'false', 'False'].map((t) => form.parse(t))).toEqual(Array(3).fill({ ok: true, value: false }));
    expect(form.parse('yes').ok).toBe(false);
    expect(form.check(true)).toEqual({ ok: true, value: true });
    expect(form.check(1).ok).toBe(false);
  });

  it('url: absolute, of the allowed protocols, shown without its password', () => {
    const form = url(['redis:', 'rediss:']);
    expect(form.expected).toBe('an absolute redis:// or rediss:// URL');
    expect(form.parse('rediss://user:pw@redis.example.com:6380/2')).toEqual({ ok: true, value: 'rediss://user:pw@redis.example.com:6380/2' });
    expect(form.parse('http://x')).toEqual({ ok: false, reason: 'http:// is not one of them' });
    expect(form.parse('localhost:6379').ok).toBe(false);
    expect(form.parse('not a url')).toEqual({ ok: false, reason: 'not a valid absolute URL' });
    expect(form.show('redis://admin:hunter2@redis:6379')).toBe('"redis://admin:***@redis:6379"');
    expect(url(['http:', 'https:']).expected).toBe('an absolute http:// or https:// URL');
  });

  it('masks URL passwords, whole tokens and passwords holding "@" or "/"', () => {
    expect(maskUrl('redis://:p4ss@host:6379')).toBe('redis://:***@host:6379');
    expect(maskUrl('rediss://tokenonly@host')).toBe('rediss://***@host');
    expect(maskUrl('redis://u:p@ss/w@host')).toBe('redis://u:***@host');
    expect(maskUrl('s3://AKID:SECRET@bucket/prefix?region=x')).toBe('s3://AKID:***@bucket/prefix?region=x');
    expect(maskUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('storage location: a folder or a URL, kept as given', () => {
    const form = storageLocation();
    expect(form.parse('/var/farm')).toEqual({ ok: true, value: '/var/farm' });
    expect(form.parse('relative/dir')).toEqual({ ok: true, value: 'relative/dir' });
    expect(form.parse('C:\\farm')).toEqual({ ok: true, value: 'C:\\farm' });
    expect(form.parse('s3://bucket/prefix?region=us-east-1').ok).toBe(true);
    expect(form.parse('s3://[bucket/x')).toEqual({ ok: false, reason: 'not a valid URL' });
    expect(form.check('  ').ok).toBe(false);
    expect(form.show('s3://AKID:SECRET@bucket/p')).toBe('"s3://AKID:***@bucket/p"');
  });

  it('path: resolved against the working directory', () => {
    expect(path('folder').parse('models/starter')).toEqual({ ok: true, value: resolve('models/starter') });
    expect(path('file').expected).toBe('a file path');
  });

  it('enum and list: case-insensitive words, blank entries skipped, a word for the whole list', () => {
    const providers = list(oneOf(['cuda', 'webgpu', 'cpu'] as const), { auto: { word: 'auto', value: ['cuda', 'webgpu', 'cpu'] } });
    expect(providers.kind).toBe('list');
    expect(providers.parse('CPU, webgpu,')).toEqual({ ok: true, value: ['cpu', 'webgpu'] });
    expect(providers.parse('auto')).toEqual({ ok: true, value: ['cuda', 'webgpu', 'cpu'] });
    expect(providers.parse('cuda,tpu')).toEqual({ ok: false, reason: 'entry 2, "tpu", is not one of cuda, webgpu, cpu' });
    expect(providers.parse(' , ')).toEqual({ ok: false, reason: 'no entries' });
    const delays = list(integer(0, 1000));
    expect(delays.parse('40, 80')).toEqual({ ok: true, value: [40, 80] });
    expect(delays.parse('40,-1').ok).toBe(false);
    expect(delays.check([])).toEqual({ ok: true, value: [] });
    expect(delays.check([1, 2.5]).ok).toBe(false);
  });

  it('text and secret', () => {
    const prefix = text(/^[a-z]{1,4}$/, '1-4 small letters');
    expect(prefix.parse('pf')).toEqual({ ok: true, value: 'pf' });
    expect(prefix.parse('a:b').ok).toBe(false);
    const presign = secret(16);
    expect(presign.parse('0123456789abcdef').ok).toBe(true);
    expect(presign.parse('short').ok).toBe(false);
    expect(presign.show('short')).toBe('*** (5 characters)');
    expect(presign.format('0123456789abcdef')).toBe('***');
  });

  it('tenant:secret pairs split at the first ":", key:tenant pairs at the last', () => {
    expect(webhookSecrets.parse(`acme:${WHSEC}, globex:${WHSEC}`)).toEqual({ ok: true, value: [['acme', WHSEC], ['globex', WHSEC]] });
    // A tenant may be listed twice (two secrets while rotating); an API key may not.
    expect(webhookSecrets.parse(`acme:${WHSEC},acme:${WHSEC}`).ok).toBe(true);
    expect(apiKeys.parse('key:with:colons:acme, other-key-2:globex')).toEqual({ ok: true, value: [['key:with:colons', 'acme'], ['other-key-2', 'globex']] });
    expect(apiKeys.parse('key-00000001:acme,key-00000001:globex')).toEqual({ ok: false, reason: 'entry 2: the key of entry 1 again' });
  });

  it('refuses a bad pair without quoting any part of it', () => {
    expect(webhookSecrets.parse('acme')).toEqual({ ok: false, reason: 'entry 1: not written tenant:whsec_<base64>' });
    expect(webhookSecrets.parse('acme:whsec_c2hvcnQ=')).toEqual({ ok: false, reason: 'entry 1: Webhook secret must decode to 16-128 bytes. Received: 5 bytes' });
    expect(webhookSecrets.parse(`ac me:${WHSEC}`)).toEqual({ ok: false, reason: 'entry 1: the tenant id must be 1-64 letters, digits, ".", "_" or "-"' });
    expect(apiKeys.parse('short:acme')).toEqual({ ok: false, reason: 'entry 1: the key must be at least 8 characters (it has 5)' });
  });

  it('shows pairs with the secret side masked, and a malformed entry (perhaps reversed) masked whole', () => {
    expect(webhookSecrets.show(`acme:${WHSEC},${WHSEC}:acme`)).toBe('"acme:***,***"');
    expect(apiKeys.show('key-00000001:acme,acme:secret-key-2,nocolon')).toBe('"***:acme,***,***"');
    expect(apiKeys.format([['key-00000001', 'acme']])).toBe('***:acme');
  });
});
