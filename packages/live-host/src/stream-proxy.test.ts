import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerUpgrade, proxyStreamUpgrade, type StreamProxyOutcome } from '@portrait-farm/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { refusedUpgrade } from './testing/session-client.ts';

// The gateway's stream proxy (packages/sessions' proxyStreamUpgrade) in front of a WebSocket server standing in for a
// worker's session server: what one side sends reaches the other unchanged, closes keep their codes and reasons, a
// refusal reaches the client as the host answered it, and an unreachable host is told apart.

let host: Server;
let hostWss: WebSocketServer;
let proxy: Server;
let proxyUrl = '';
const outcomes: StreamProxyOutcome[] = [];
let target = '';
/** How long the host may take to answer the upgrade; a piped stream may stay quiet far longer. */
const ANSWER_WITHIN_MS = 200;

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  hostWss = new WebSocketServer({ noServer: true, maxPayload: 16 << 20 });
  host = createServer();
  host.on('upgrade', (request, socket, head) => {
    const token = new URL(request.url ?? '/', 'http://host').searchParams.get('token');
    if (token !== 'good') return answerUpgrade(socket, 403, { error: { code: 'LIVE_HOST_BAD_TOKEN', message: 'The token is not this session\'s.' } });
    hostWss.handleUpgrade(request, socket, head, (ws) => {
      // An echo that says which kind each message was; `close:<code>` asks the host to close with that code.
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? null : data.toString();
        if (text?.startsWith('close:')) return ws.close(Number(text.slice(6)), 'host says bye');
        ws.send(data, { binary: isBinary });
      });
      ws.on('close', (code, reason) => ws.emit('seen-close', code, reason.toString()));
      hostWss.emit('connection', ws, request);
    });
  });
  target = `ws://127.0.0.1:${await listen(host)}`;
  proxy = createServer();
  proxy.on('upgrade', (request, socket, head) => {
    const to = request.url?.includes('unreachable') === true ? 'ws://127.0.0.1:1' : target;
    void proxyStreamUpgrade(request, socket, head, { target: to, answerWithinMs: ANSWER_WITHIN_MS }).then((outcome) => {
      outcomes.push(outcome);
      if (outcome.kind === 'unreachable') answerUpgrade(socket, 502, { error: { code: 'UNREACHABLE', message: outcome.error.message } });
    });
  });
  proxyUrl = `ws://127.0.0.1:${await listen(proxy)}`;
});

afterAll(async () => {
  hostWss.close();
  await new Promise((resolve) => host.close(resolve));
  await new Promise((resolve) => proxy.close(resolve));
});

async function open(path: string): Promise<WebSocket> {
  const ws = new WebSocket(`${proxyUrl}${path}`, { maxPayload: 16 << 20 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

const nextMessage = (ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> =>
  new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));

describe('proxyStreamUpgrade', () => {
  it('passes text and binary messages both ways untouched, large ones included, and the host\'s close code and reason', async () => {
    const ws = await open('/v1/sessions/ses_1/stream?token=good');
    ws.send('{"type":"audio_end"}');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('{"type":"audio_end"}'), isBinary: false });
    const bytes = Buffer.alloc(12 << 20);
    for (let i = 0; i < bytes.length; i += 4099) bytes[i] = i & 0xff;
    ws.send(bytes);
    const echoed = await nextMessage(ws);
    expect(echoed.isBinary).toBe(true);
    expect(echoed.data.equals(bytes)).toBe(true);
    const end = closed(ws);
    ws.send('close:4001');
    expect(await end).toEqual({ code: 4001, reason: 'host says bye' });
    expect(outcomes.at(-1)?.kind).toBe('piped');
    await (outcomes.at(-1) as Extract<StreamProxyOutcome, { kind: 'piped' }>).closed;
  });

  it("carries the client's close code and reason to the host, and closes both connections", async () => {
    const hostSide = new Promise<[number, string]>((resolve) => hostWss.once('connection', (ws: WebSocket) => ws.once('seen-close', (code: number, reason: string) => resolve([code, reason]))));
    const ws = await open('/v1/sessions/ses_2/stream?token=good');
    ws.close(1000, 'client done');
    expect(await hostSide).toEqual([1000, 'client done']);
    expect((await closed(ws)).code).toBe(1000);
    await (outcomes.at(-1) as Extract<StreamProxyOutcome, { kind: 'piped' }>).closed;
  });

  it('keeps a quiet stream open past the time the host had to answer the upgrade', async () => {
    const ws = await open('/v1/sessions/ses_6/stream?token=good');
    await new Promise((resolve) => setTimeout(resolve, 4 * ANSWER_WITHIN_MS));
    ws.send('still there');
    expect((await nextMessage(ws)).data.toString()).toBe('still there');
    ws.close();
  });

  it('ends the host side when the client vanishes without a close frame', async () => {
    const hostSide = new Promise<number>((resolve) => hostWss.once('connection', (ws: WebSocket) => ws.once('seen-close', (code: number) => resolve(code))));
    const ws = await open('/v1/sessions/ses_3/stream?token=good');
    ws.terminate();
    expect(await hostSide).toBe(1006);
  });

  it("relays the host's refusal as it answered it, and tells an unreachable host apart", async () => {
    expect(await refusedUpgrade(`${proxyUrl}/v1/sessions/ses_4/stream?token=bad`)).toEqual({
      status: 403,
      body: { error: { code: 'LIVE_HOST_BAD_TOKEN', message: 'The token is not this session\'s.' } },
    });
    expect(outcomes.at(-1)).toEqual({ kind: 'refused', status: 403 });
    expect(await refusedUpgrade(`${proxyUrl}/v1/sessions/ses_5/stream?token=unreachable`)).toMatchObject({ status: 502, body: { error: { message: expect.stringContaining('ECONNREFUSED') } } });
    expect(outcomes.at(-1)).toMatchObject({ kind: 'unreachable', error: expect.any(Error) });
  });
});
