import { badAudio, badFaceImages, badImages } from '@portrait-farm/test-support/bad-input';
import type { BadFile } from '@portrait-farm/test-support/bad-input';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import type { GatewayErrorCode } from './errors.ts';
import { auth, CONSENT_PART, GatewayHarness, jobForm } from './testing/gateway-harness.ts';
import { portraitPng, wavTone } from './testing/media-fixtures.ts';
import { multipartBody } from './testing/multipart-body.ts';

// Every bad input of the generator (@portrait-farm/test-support/bad-input) through the real gateway: each gets a
// 4xx with its own code at create, and nothing is left in storage or Redis (queues, job records, idempotency).
// The good image is the test portrait; the face cases run the engine's face rules (face-check.ts) at create.

const MAX_AUDIO_SECONDS = 5;

interface Case {
  name: string;
  expected: GatewayErrorCode;
  /** Words the message must hold. */
  says: RegExp;
  payload: () => Promise<{ payload: Buffer; headers: Record<string, string> }>;
}

function imageCase(name: string, file: BadFile, expected: GatewayErrorCode, says: RegExp): Case {
  return { name, expected, says, payload: () => formWith('image', file) };
}

function audioCase(name: string, file: BadFile, expected: GatewayErrorCode, says: RegExp): Case {
  return { name, expected, says, payload: () => formWith('audio', file) };
}

async function formWith(which: 'image' | 'audio', file: BadFile): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  // The bad file in place of this part, the other one good.
  const other = which === 'image' ? { name: 'audio', value: goodAudio, filename: 'speech.wav', contentType: 'audio/wav' } : { name: 'image', value: goodImage, filename: 'portrait.png', contentType: 'image/png' };
  return multipartBody([CONSENT_PART, { name: which, value: file.bytes, filename: file.filename, contentType: file.contentType }, other]);
}

let goodImage: Buffer;
let goodAudio: Buffer;

function optionsCase(name: string, options: object | string, expected: GatewayErrorCode, says: RegExp): Case {
  return { name, expected, says, payload: () => jobForm({ options }) };
}

async function cases(): Promise<Case[]> {
  const images = { ...(await badImages()), ...(await badFaceImages()) };
  const audio = await badAudio(MAX_AUDIO_SECONDS);
  const image = (name: string, expected: GatewayErrorCode, says: RegExp): Case => imageCase(name, images[name]!, expected, says);
  const sound = (name: string, expected: GatewayErrorCode, says: RegExp): Case => audioCase(name, audio[name]!, expected, says);
  return [
    image('image: empty file', 'GATEWAY_BAD_IMAGE', /not a JPEG, PNG or WebP file/),
    image('image: truncated JPEG', 'GATEWAY_BAD_IMAGE', /JPEG file ends early/),
    image('image: corrupt JPEG', 'GATEWAY_BAD_IMAGE', /JPEG file has damaged data/),
    image('image: truncated PNG', 'GATEWAY_BAD_IMAGE', /PNG file (ends early|has damaged data)/),
    image('image: corrupt PNG', 'GATEWAY_BAD_IMAGE', /PNG file has damaged data/),
    image('image: truncated WebP', 'GATEWAY_BAD_IMAGE', /WebP header is damaged or cut short/),
    image('image: corrupt WebP', 'GATEWAY_BAD_IMAGE', /WebP file has damaged data/),
    image('image: PNG bomb (100000x100000)', 'GATEWAY_IMAGE_TOO_LARGE', /100000x100000/),
    image('image: JPEG bomb (65000x65000)', 'GATEWAY_IMAGE_TOO_LARGE', /65000x65000/),
    image('image: text named .png', 'GATEWAY_BAD_IMAGE', /not a JPEG, PNG or WebP file/),
    image('image: WAV named .png', 'GATEWAY_BAD_IMAGE', /not a JPEG, PNG or WebP file/),
    image('image: no face (gradient and noise)', 'GATEWAY_FACE_NOT_FOUND', /No face found in the image \(320x320\)\..*options\.faceBox/),
    image('image: many faces (4 portraits in a 2x2 grid)', 'GATEWAY_FACE_AMBIGUOUS', /^[2-4] faces of similar size found in the image \(768x768\), largest first: #0: .*#1: .*options\.faceIndex.*options\.faceBox/),
    image('image: tiny face (23 px in 320x320)', 'GATEWAY_FACE_TOO_SMALL', /^The face in the image is 2\dx2\d pixels; a face must be at least 48 pixels wide/),
    sound('audio: empty file', 'GATEWAY_BAD_AUDIO', /not in any format ffmpeg reads/),
    sound('audio: silent 2 s', 'GATEWAY_AUDIO_SILENT', /silent \(digital silence\)/),
    sound('audio: 0.1 s long', 'GATEWAY_AUDIO_TOO_SHORT', /at least 0.5 seconds long. Received: 0.100 seconds/),
    sound(`audio: longer than the limit (${MAX_AUDIO_SECONDS + 1} s)`, 'GATEWAY_AUDIO_TOO_LONG', /at most 5 seconds long. Received: 6.00 seconds/),
    sound('audio: text, not audio', 'GATEWAY_BAD_AUDIO', /not in any format ffmpeg reads/),
    sound('audio: corrupt WAV', 'GATEWAY_BAD_AUDIO', /cannot be decoded/),
    sound('audio: header claims 2^31 Hz', 'GATEWAY_BAD_AUDIO', /not in any format ffmpeg reads/),
    sound('audio: header claims 2^31-1 Hz', 'GATEWAY_BAD_AUDIO', /sample rate of 2147483647 Hz/),
    sound('audio: PNG named speech.wav', 'GATEWAY_BAD_AUDIO', /no audio stream: it reads as png_pipe with video \(png\)/),
    optionsCase('options: fps 1000', { fps: 1000 }, 'GATEWAY_BAD_OPTION', /options\.fps/),
    optionsCase('options: guidance 25', { guidance: 25 }, 'GATEWAY_BAD_OPTION', /options\.guidance must be .*20/),
    optionsCase('options: seed -1', { seed: -1 }, 'GATEWAY_BAD_OPTION', /options\.seed/),
    optionsCase('options: unknown option', { speed: 2 }, 'GATEWAY_BAD_OPTION', /speed/),
    optionsCase('options: faceBox outside the image', { faceBox: { x: 500, y: 10, width: 100, height: 100 } }, 'GATEWAY_BAD_OPTION', /options\.faceBox must overlap the 320x320 image/),
    optionsCase('options: faceIndex beyond the faces found', { faceIndex: 2 }, 'GATEWAY_FACE_INDEX_OUT_OF_RANGE', /faceIndex 2 is out of range: 1 face found in the image \(#0: /),
    optionsCase('options: faceBox too small to animate', { faceBox: { x: 100, y: 80, width: 30, height: 36 } }, 'GATEWAY_FACE_TOO_SMALL', /options\.faceBox .* is 30x36 pixels; a face must be at least 48/),
    optionsCase('options: not JSON', '{fps: 30', 'GATEWAY_BAD_REQUEST', /options.*must be JSON/),
    { name: 'priority: 11', expected: 'GATEWAY_BAD_OPTION', says: /priority/, payload: () => jobForm({ priority: 11 }) },
  ];
}

/**
 * What a failed create must not change: stored objects, and every Redis key but the rate-limit counters and the mark
 * the first retention sweep leaves 10 s after the gateway starts (`finished:complete`), which a loaded machine reaches
 * while the cases run.
 */
async function footprint(gateway: Gateway): Promise<{ storage: string[]; redis: string[] }> {
  const { storage, redis, config } = gateway.context;
  const keys = await redis.keys(`${config.prefix}:*`);
  return { storage: (await storage.list('')).sort(), redis: keys.filter((key) => !key.includes(':rate:') && !key.endsWith(':finished:complete')).sort() };
}

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
  goodImage = await portraitPng();
  goodAudio = wavTone(1);
});

afterAll(async () => {
  await harness.close();
});

describe('bad input at create', () => {
  it('answers every bad input with a 4xx and its own code before anything is stored or queued', async () => {
    const gateway = await harness.gateway({ limits: { maxAudioSeconds: MAX_AUDIO_SECONDS, jobsPerMinute: 1000, requestsPerMinute: 10_000 } });
    // One good job first, so the footprint has queue and record keys to compare against.
    const good = await jobForm();
    expect((await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, good.headers), payload: good.payload })).statusCode).toBe(202);
    const before = await footprint(gateway);
    const rows: Array<{ case: string; status: number; code: string; message: string }> = [];
    for (const c of await cases()) {
      const form = await c.payload();
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
      const error = response.json<{ error?: { code: string; message: string } }>().error;
      rows.push({ case: c.name, status: response.statusCode, code: error?.code ?? '-', message: error?.message ?? '' });
    }
    console.log(`\n${formatTable(rows)}\n`);
    const expected = await cases();
    for (const [i, row] of rows.entries()) {
      const c = expected[i]!;
      expect({ case: row.case, code: row.code }).toEqual({ case: c.name, code: c.expected });
      expect(row.status, row.case).toBeGreaterThanOrEqual(400);
      expect(row.status, row.case).toBeLessThan(500);
      expect(row.message, row.case).toMatch(c.says);
      expect(row.message, row.case).not.toMatch(/pf-gateway-|\/tmp\//);
    }
    expect(await footprint(gateway)).toEqual(before);
  }, 120_000);
});

function formatTable(rows: ReadonlyArray<{ case: string; status: number; code: string; message: string }>): string {
  const width = Math.max(...rows.map((r) => r.case.length));
  const codeWidth = Math.max(...rows.map((r) => r.code.length));
  const lines = rows.map((r) => `${r.case.padEnd(width)}  ${r.status}  ${r.code.padEnd(codeWidth)}  ${r.message}`);
  return [`${'case'.padEnd(width)}  http  ${'code'.padEnd(codeWidth)}  message`, ...lines].join('\n');
}
