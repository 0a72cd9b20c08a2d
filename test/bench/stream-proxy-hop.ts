// npm run bench:stream-proxy [-- --rounds 1500 --bytes 30000]
// What the gateway's stream proxy adds to each message, measured alone: a client sends a binary message of --bytes
// (about one fMP4 fragment of a session) to a WebSocket echo server and waits for it back, --rounds times, straight
// to the server and through the proxy (stream-proxy-process.ts, a process of its own as the gateway is), in
// alternating blocks so that both see the same load. Prints the round trip's p50/p95/p99 in milliseconds for each;
// the proxy's share of one direction is about half the difference.
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { percentiles } from '@portrait-farm/live';
import { processCpuSeconds } from './process-cpu-seconds.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '1500' }, bytes: { type: 'string', default: '30000' } } });
const rounds = Number(values.rounds);
const payload = Buffer.alloc(Number(values.bytes), 7);

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => server.once('listening', resolve));
server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
const direct = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
const proxy = spawn(process.execPath, [...process.execArgv, new URL('stream-proxy-process.ts', import.meta.url).pathname, direct], { stdio: ['ignore', 'pipe', 'inherit'] });
const proxied = `ws://127.0.0.1:${await new Promise<string>((resolve) => proxy.stdout.once('data', (data: Buffer) => resolve(data.toString().trim())))}`;

async function connect(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

async function roundTrips(socket: WebSocket, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const back = new Promise((resolve) => socket.once('message', resolve));
    socket.send(payload);
    await back;
    into.push(performance.now() - start);
  }
}

const sockets = { direct: await connect(direct), proxied: await connect(proxied) };
const times: Record<keyof typeof sockets, number[]> = { direct: [], proxied: [] };
await roundTrips(sockets.direct, 50, []);
await roundTrips(sockets.proxied, 50, []);
const cpuBefore = processCpuSeconds([proxy.pid!]);
const block = 100;
for (let done = 0; done < rounds; done += block) {
  await roundTrips(sockets.direct, block, times.direct);
  await roundTrips(sockets.proxied, block, times.proxied);
}
const proxyCpu = processCpuSeconds([proxy.pid!]) - cpuBefore;
const ms = (value: number | null): string => (value ?? Number.NaN).toFixed(3);
const show = (p: ReturnType<typeof percentiles>): string => `p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  p99 ${ms(p.p99)}`;
console.log(`round trip of ${payload.length} bytes, ${times.direct.length} each, ms`);
console.log(`  direct   ${show(percentiles(times.direct))}`);
console.log(`  proxied  ${show(percentiles(times.proxied))}`);
console.log(`the proxy's process: ${proxyCpu.toFixed(2)} CPU-s for ${times.proxied.length} round trips (${((2 * payload.length * times.proxied.length) / 2 ** 20).toFixed(0)} MiB both ways)`);
for (const socket of Object.values(sockets)) socket.close();
server.close();
proxy.kill();
