import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, CONSENT_PART, GatewayHarness, jobForm, KEY_A } from './testing/gateway-harness.ts';
import { pngImage, wavTone } from './testing/media-fixtures.ts';
import { multipartBody } from './testing/multipart-body.ts';
import type { MultipartPart } from './testing/multipart-body.ts';
import { listen, RawClient, requestHead } from './testing/raw-http.ts';
import type { Gateway } from './build-gateway.ts';

// Item 1 and 4 of issue 13's outside tester: malformed multipart bodies are a 400 GATEWAY_BAD_MULTIPART naming the
// problem (never a 500), and a part too many names the part (a text field sent as a file), not an upload size.

let harness: GatewayHarness;
let gateway: Gateway;
let port: number;
let image: Buffer;
const audio = wavTone(1);

beforeAll(async () => {
  harness = await GatewayHarness.start();
  gateway = await harness.gateway();
  port = await listen(gateway.app);
  image = await pngImage(64, 64);
});

afterAll(async () => {
  await harness.close();
});

function inputs(): MultipartPart[] {
  return [
    CONSENT_PART,
    { name: 'image', value: image, filename: 'portrait.png', contentType: 'image/png' },
    { name: 'audio', value: audio, filename: 'speech.wav', contentType: 'audio/wav' },
  ];
}

/** Sends `body` over a real socket with `contentType` and returns the answer. */
async function send(contentType: string, body: Buffer, options: { chunked?: boolean } = {}) {
  const client = await RawClient.open(port);
  if (options.chunked === true) {
    client.write(requestHead('POST', '/v1/jobs', auth(KEY_A, { 'content-type': contentType, 'transfer-encoding': 'chunked' })));
    client.write(Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]));
  } else {
    client.write(Buffer.concat([Buffer.from(requestHead('POST', '/v1/jobs', auth(KEY_A, { 'content-type': contentType }), body.length)), body]));
  }
  const answer = await client.response(5000);
  client.destroy();
  return answer;
}

async function rejections(): Promise<string> {
  return (await gateway.context.metrics.registry.getSingleMetricAsString('portrait_farm_http_errors_total')) ?? '';
}

describe('malformed multipart bodies', () => {
  it('answer 400 GATEWAY_BAD_MULTIPART naming the problem, never a 500', async () => {
    const whole = multipartBody(inputs(), { boundary: 'pf-boundary-1' });
    const contentType = whole.headers['content-type']!;
    const unclosed = multipartBody(inputs(), { boundary: 'pf-boundary-1', close: false }).payload;
    const cut = whole.payload.subarray(0, 2000); // inside the image part
    const cases: Array<[string, string, Buffer, { chunked?: boolean }, string]> = [
      ['no boundary', 'multipart/form-data', whole.payload, {}, 'Content-Type names no boundary (multipart/form-data; boundary=...). Received: "multipart/form-data"'],
      ['no closing boundary', contentType, unclosed, {}, 'ends before its closing boundary "--pf-boundary-1--"'],
      ['body cut mid-part', contentType, cut, {}, 'ends before its closing boundary "--pf-boundary-1--": it was cut short'],
      ['body cut mid-part, chunked', contentType, cut, { chunked: true }, 'ends before its closing boundary'],
      ['boundary mismatch', 'multipart/form-data; boundary=another-one', whole.payload, {}, 'not delimited by the boundary Content-Type names ("another-one")'],
    ];
    for (const [name, type, body, options, message] of cases) {
      const answer = await send(type, body, options);
      expect(answer.status, name).toBe(400);
      expect(answer.code, name).toBe('GATEWAY_BAD_MULTIPART');
      expect(answer.message, name).toContain(message);
    }
    expect(await rejections()).not.toContain('GATEWAY_INTERNAL');
    expect(await gateway.context.storage.list('jobs/')).toEqual([]);
  });

  it('a text field sent as a file (curl -F options=@opts.json) is named, in any position', async () => {
    const options = { name: 'options', value: '{"fps":25}', filename: 'opts.json', contentType: 'application/json' };
    for (const parts of [[...inputs(), options], [options, ...inputs()]]) {
      const body = multipartBody(parts);
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, body.headers), payload: body.payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: {
          code: 'GATEWAY_BAD_REQUEST',
          message: "options must be a text field, not a file: curl -F 'options=<options.json' sends a file's content as text (-F options=@... uploads it as a file).",
        },
      });
    }
  });

  it('a third file or a seventh part names the part, not an upload size', async () => {
    const cases: Array<[MultipartPart[], string]> = [
      [[...inputs(), { name: 'mask', value: 'x', filename: 'mask.png' }], 'Unknown file field "mask"; a create request takes the files image and audio'],
      [[...inputs(), { name: 'image', value: image, filename: 'again.png' }], 'The multipart field "image" appears twice.'],
      [
        [{ name: 'options', value: '{}' }, { name: 'webhook', value: '' }, { name: 'priority', value: '5' }, ...inputs(), { name: 'priority', value: '6' }],
        'The multipart field "priority" appears twice.',
      ],
      [[{ name: 'options', value: '{}' }, { name: 'webhook', value: '' }, { name: 'priority', value: '5' }, { name: 'note', value: 'hi' }, ...inputs()], 'Unknown field "note"'],
    ];
    for (const [parts, message] of cases) {
      const body = multipartBody(parts);
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, body.headers), payload: body.payload });
      const error = response.json<{ error: { code: string; message: string } }>().error;
      expect(response.statusCode, message).toBe(400);
      expect(error.code).toBe('GATEWAY_BAD_REQUEST');
      expect(error.message).toContain(message);
      expect(error.message).not.toContain('bytes');
    }
  });

  it('past the parser limits the request is refused as too many parts', async () => {
    const extra = Array.from({ length: 8 }, (_, i) => ({ name: 'options', value: `{"seed":${i}}` }));
    const body = multipartBody([...inputs(), ...extra]);
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, body.headers), payload: body.payload });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/appears twice|too many parts/);
    const ok = await jobForm();
    expect((await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, ok.headers), payload: ok.payload })).statusCode).toBe(202);
  });
});
