import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventStream } from './event-stream.ts';
import type { EventStream } from './event-stream.ts';

const LIMIT = 256 * 1024;
const EVENT = { text: 'x'.repeat(8 * 1024) };
/** Far more than the limit and the kernel's socket buffers together. */
const EVENTS = 2000;

let server: Server | null = null;
let client: Socket | null = null;

afterEach(async () => {
  client?.destroy();
  await new Promise((resolve) => (server === null ? resolve(null) : server.close(resolve)));
  server = null;
});

interface Opened {
  stream: EventStream;
  ended: Promise<void>;
  overflows: number[];
}

/** A real server with one event stream and a raw TCP client that reads it or not. */
async function openStream(read: boolean): Promise<Opened> {
  let opened: (value: Opened) => void = () => {};
  const ready = new Promise<Opened>((resolve) => (opened = resolve));
  server = createServer((_request, response) => {
    let ending: () => void = () => {};
    const ended = new Promise<void>((resolve) => (ending = resolve));
    const overflows: number[] = [];
    const stream = openEventStream(response, { onEnd: ending, onOverflow: (bytes) => overflows.push(bytes), maxBufferedBytes: LIMIT });
    opened({ stream, ended, overflows });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = connect(port, '127.0.0.1');
  client.write('GET /events HTTP/1.1\r\nhost: localhost\r\naccept: text/event-stream\r\n\r\n');
  if (read) client.on('data', () => {});
  else client.pause();
  return ready;
}

async function sendAll(opened: Opened): Promise<number> {
  let sent = 0;
  let ended = false;
  void opened.ended.then(() => (ended = true));
  while (sent < EVENTS && !ended) {
    opened.stream.send('job', EVENT);
    sent += 1;
    await new Promise((resolve) => setImmediate(resolve)); // the socket flushes what it can
  }
  return sent;
}

describe('openEventStream', () => {
  it('drops the connection of a client that stops reading once more than maxBufferedBytes wait for it', async () => {
    const opened = await openStream(false);
    const sent = await sendAll(opened);
    await opened.ended;
    expect(sent).toBeLessThan(EVENTS);
    expect(opened.overflows).toHaveLength(1);
    expect(opened.overflows[0]).toBeGreaterThan(LIMIT - 10 * 1024);
    expect(opened.overflows[0]).toBeLessThanOrEqual(LIMIT);
    await new Promise<void>((resolve) => {
      client!.on('close', () => resolve());
      client!.resume();
    });
  }, 30_000);

  it('keeps a client that reads everything, however much is sent', async () => {
    const opened = await openStream(true);
    expect(await sendAll(opened)).toBe(EVENTS);
    expect(opened.overflows).toEqual([]);
    opened.stream.end();
    await opened.ended;
  }, 30_000);
});
