import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVideoEncoder } from '@portrait-farm/media';
import { generateSigningKeyPem, loadSigningKey, signVideo } from '@portrait-farm/provenance';
import { embedWatermark } from '@portrait-farm/watermark';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectingStream } from '../test-streams.ts';
import { verifyCommand } from './verify-command.ts';

let dir: string;
const pem = generateSigningKeyPem();
const key = loadSigningKey(pem);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pf-cli-verify-'));
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=96x96:rate=25:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', join(dir, 'clean.mp4')]);
  copyFileSync(join(dir, 'clean.mp4'), join(dir, 'signed.mp4'));
  await signVideo(join(dir, 'signed.mp4'), {
    generator: 'portrait-farm', jobId: 'job_cli', tenantId: 'local', createdAt: '2025-01-01T00:00:00.000Z',
    inputs: { image: { sha256: 'a', size: 1, contentType: null }, audio: { sha256: 'b', size: 1, contentType: null } },
    model: { pack: 'starter', version: '1' }, options: { fps: 25 }, consent: { attestation: true, statement: 'mine', at: '2025-01-01T00:00:00.000Z' },
    label: true, watermark: { payload: '00112233445566ff', derivation: 'test' },
  }, key);
  writeFileSync(join(dir, 'key.pem'), key.publicKeyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 12 frames of 256 x 256 (a smooth pattern with a little noise), watermarked with `key`. */
async function markedVideo(out: string, key: string): Promise<void> {
  const size = 256;
  const encoder = createVideoEncoder({ out, width: size, height: size, fps: 25 });
  let seed = 7;
  for (let i = 0; i < 12; i++) {
    const data = new Uint8Array(size * size * 3);
    for (let p = 0; p < size * size; p++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      data.fill(110 + 50 * Math.sin(((p % size) + i) / 19) * Math.cos(Math.floor(p / size) / 27) + ((seed >>> 16) % 7) - 3, p * 3, p * 3 + 3);
    }
    const frame = { width: size, height: size, data };
    embedWatermark(frame, Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]), i, { key });
    await encoder.write(frame.data);
  }
  await encoder.finish();
}

async function verifyIn(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = collectingStream();
  const stderr = collectingStream();
  const code = await verifyCommand.run(argv, { stdout, stderr, cwd: dir, now: () => 0, env });
  return { code, out: stdout.text(), err: stderr.text() };
}

const verify = (...argv: string[]) => verifyIn({}, ...argv);

describe('portrait-farm verify', () => {
  it('detects a watermark made with the operator\'s key when given --watermark-key, and not with the default key', async () => {
    await markedVideo(join(dir, 'keyed.mp4'), 'operator-key-0123456789');
    expect((await verify('keyed.mp4')).out).toMatch(/watermark: not found/);
    const keyed = await verify('keyed.mp4', '--watermark-key', 'operator-key-0123456789');
    expect(keyed.out).toMatch(/watermark: found.*0908070605040302/);
  });

  it('reads PORTRAIT_FARM_WATERMARK_KEY through the config model; --watermark-key overrides it', async () => {
    await markedVideo(join(dir, 'keyed-env.mp4'), 'operator-key-from-env-01');
    const fromEnv = await verifyIn({ PORTRAIT_FARM_WATERMARK_KEY: 'operator-key-from-env-01' }, 'keyed-env.mp4');
    expect(fromEnv.out).toMatch(/watermark: found.*0908070605040302/);
    const overridden = await verifyIn({ PORTRAIT_FARM_WATERMARK_KEY: 'operator-key-from-env-01' }, 'keyed-env.mp4', '--watermark-key', 'another-key-0123456789');
    expect(overridden.out).toMatch(/watermark: not found/);
  });

  it('refuses a watermark key the farm could not have used (exit 2), naming the variable or the flag', async () => {
    const env = await verifyIn({ PORTRAIT_FARM_WATERMARK_KEY: 'short' }, 'clean.mp4');
    expect(env.code).toBe(2);
    expect(env.err).toMatch(/PORTRAIT_FARM_WATERMARK_KEY must be .*16/);
    const flag = await verify('clean.mp4', '--watermark-key', 'short');
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/--watermark-key \(PORTRAIT_FARM_WATERMARK_KEY\) must be .*16/);
  });

  it('says a signed video is valid and unaltered with the key (exit 0), and prints JSON with --json', async () => {
    const text = await verify('signed.mp4', '--key', 'key.pem');
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/manifest: found \(job job_cli/);
    expect(text.out).toMatch(/signature: valid/);
    expect(text.out).toMatch(/file: unaltered since signing/);
    expect(text.out).toMatch(/watermark: not found/);
    expect(text.out).toMatch(/consent attested: "mine"/);
    const json = await verify('signed.mp4', '--json', '--key=key.pem');
    const report = JSON.parse(json.out) as { manifest: { signatureValid: boolean; fields: { jobId: string } }; watermark: { checked: boolean } };
    expect(report.manifest).toMatchObject({ signatureValid: true, fields: { jobId: 'job_cli' } });
    expect(report.watermark.checked).toBe(true);
  });

  it('reports tampering (exit 1) and a never-signed video as "manifest: not found"', async () => {
    const bytes = readFileSync(join(dir, 'signed.mp4'));
    const at = bytes.indexOf('"tenantId":"local"');
    bytes.write('"tenantId":"LOCAL"', at, 'latin1');
    writeFileSync(join(dir, 'forged.mp4'), bytes);
    const forged = await verify('forged.mp4', '--key', 'key.pem');
    expect(forged.code).toBe(1);
    expect(forged.out).toMatch(/signature: INVALID/);
    const never = await verify('clean.mp4', '--key', 'key.pem');
    expect(never.code).toBe(1);
    expect(never.out).toMatch(/manifest: not found/);
  });

  it('refuses a wrong command line with exit 2', async () => {
    expect((await verify()).code).toBe(2);
    expect((await verify('signed.mp4', '--key', 'a', '--gateway', 'http://x')).code).toBe(2);
  });
});
