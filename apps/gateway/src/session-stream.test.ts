import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { registerSessionHost, streamPath, type PlacedSession, type RegisteredHost, type SessionOptions } from '@portrait-farm/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { GatewayHarness } from './testing/gateway-harness.ts';

// The gateway's side of a session's stream on a listening gateway and a real Redis: the upgrade is forwarded to the
// worker's internal address from the session's record (here a server standing in for a worker that accepts the
// upgrade and echoes bytes), and the piped connection outlives the gateway's request timeouts. Frames, closes and
// the worker's own refusals: packages/live-host/src/stream-proxy.test.ts and test/e2e/live-sessions.test.ts.

const OPTIONS: SessionOptions = { avatarId: 'av_1', mode: 'crop', inputSampleRate: 16000, latency: 'quality', controls: {}, seed: 1, idleTimeoutSeconds: 60, maxDurationSeconds: 600 };
// Far shorter than the stream is kept open below: a request timeout must not reach a piped connection.
const TIMEOUTS = { headerMs: 300, bodyMs: 600, idleMs: 300 };

let harness: GatewayHarness;
let gateway: Gateway;
let gatewayPort = 0;
let worker: Server;
let host: RegisteredHost;
const workerSockets: Duplex[] = [];

beforeAll(async () => {
  harness = await GatewayHarness.start();
  gateway = await harness.gateway({ timeouts: TIMEOUTS });
  await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  gatewayPort = (gateway.app.server.address() as AddressInfo).port;
  worker = createServer();
  worker.on('upgrade', (_request: IncomingMessage, socket: Duplex) => {
    workerSockets.push(socket);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
  });
  await new Promise<void>((resolve) => worker.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(worker.address() as AddressInfo).port}`;
  host = await registerSessionHost(gateway.context.redis, gateway.context.config.prefix, { hostId: 'echo', url, capacity: 4 });
});

afterAll(async () => {
  await harness.close();
  for (const socket of workerSockets) socket.destroy();
  await new Promise((resolve) => worker.close(resolve));
});

async function place(): Promise<PlacedSession> {
  const placed = await gateway.context.sessions.place('tenant-a', OPTIONS, 30_000);
  if (!('token' in placed)) throw new Error(`not placed: ${JSON.stringify(placed)}`);
  return placed;
}

/** Opens the stream through the gateway: the upgraded socket, or the refusal's status. */
function upgrade(path: string): Promise<{ socket: Socket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gatewayPort, path, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('upgrade', (_response, socket: Socket) => resolve({ socket }));
    req.on('response', (response) => resolve({ status: response.statusCode ?? 0 }));
    req.on('error', reject);
    req.end();
  });
}

const echoOf = (socket: Socket, text: string): Promise<string> =>
  new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    socket.write(text);
  });

describe('the gateway\'s session streams', () => {
  it('forwards the upgrade to the worker recorded for the session and keeps the pipe open past its request timeouts', async () => {
    const session = await place();
    const opened = await upgrade(streamPath(session.record.id, session.token));
    if (!('socket' in opened)) throw new Error(`refused: ${opened.status}`);
    expect(await echoOf(opened.socket, 'first')).toBe('first');
    await new Promise((resolve) => setTimeout(resolve, 3 * TIMEOUTS.bodyMs));
    expect(opened.socket.destroyed).toBe(false);
    expect(await echoOf(opened.socket, 'still here')).toBe('still here');
    opened.socket.destroy();
  });

  it('answers an unknown session 404 and a path that is no stream 404, never reaching a worker', async () => {
    const before = workerSockets.length;
    expect(await upgrade(streamPath('ses_000000000000000000000000', 'x'))).toEqual({ status: 404 });
    expect(await upgrade('/v1/jobs')).toEqual({ status: 404 });
    expect(workerSockets.length).toBe(before);
  });

  it('ends the streams it pipes when it closes, so its close never waits on them', async () => {
    const session = await place();
    const opened = await upgrade(streamPath(session.record.id, session.token));
    if (!('socket' in opened)) throw new Error(`refused: ${opened.status}`);
    const workerSide = workerSockets.at(-1)!;
    // Both ends see the connection end (FIN: neither test socket closes its own half by itself).
    const ended = Promise.all([opened.socket, workerSide].map((socket) => new Promise((resolve) => socket.once('end', resolve))));
    await host.stop();
    const started = Date.now();
    await gateway.close();
    await ended;
    expect(Date.now() - started).toBeLessThan(1000);
    opened.socket.destroy();
  });
});
