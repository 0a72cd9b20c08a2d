import { request } from 'node:http';
import type { WebSocket } from 'ws';

export { connectSession, type SessionClient } from '@portrait-farm/live/testing';

/** What the server answers a WebSocket upgrade it refuses: the status and the JSON body. */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  const target = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = request(target, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
    req.on('upgrade', () => reject(new Error(`the upgrade to ${target.pathname} was accepted`)));
    req.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { error: { code: string; message: string } } }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** PCM16 mono at `rate`: a voiced tone with a syllable rhythm, `seconds` long. */
export function speechLikePcm16(seconds: number, rate: number): Buffer {
  const n = Math.round(seconds * rate);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    const sample = envelope * (0.5 * Math.sin(2 * Math.PI * 180 * t) + 0.3 * Math.sin(2 * Math.PI * 720 * t) + 0.2 * Math.sin(2 * Math.PI * 1400 * t));
    pcm.writeInt16LE(Math.round(12000 * sample), i * 2);
  }
  return pcm;
}

/** Sends PCM16 in 20 ms chunks, paced at real time. */
export async function sendPaced(socket: WebSocket, pcm: Buffer, rate: number): Promise<void> {
  const chunk = 0.02 * rate * 2;
  for (let at = 0; at < pcm.length; at += chunk) {
    socket.send(pcm.subarray(at, at + chunk));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
