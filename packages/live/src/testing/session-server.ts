import { WebSocketServer } from 'ws';
import { createEngine, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { startLiveSession, type LiveFrame } from '../live-session.ts';
import { parseTransport } from '../session-protocol.ts';
import { serveSessionSocket, type SessionSummary } from '../session-socket.ts';
import { streamFeatures } from '../stream-features.ts';
import type { WebRtcIceOptions } from '../webrtc-peer.ts';

/** A session served, with every frame it made. */
export interface ServedSession {
  frames: LiveFrame[];
  summary: Promise<SessionSummary>;
}

/** Sessions served on 127.0.0.1 as a worker serves them (starter pack, synthetic portrait); `?transport=` picks. */
export interface TestSessionServer {
  url: string;
  served: ServedSession[];
  close(): Promise<void>;
}

export interface TestSessionServerOptions {
  size: number;
  inputSampleRate: 16000 | 24000;
  webrtc?: WebRtcIceOptions;
  idleTimeoutMs?: number;
}

export async function startTestSessionServer(options: TestSessionServerOptions): Promise<TestSessionServer> {
  const engine: Engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  const threads: RenderThreads = startRenderThreads(1, { warmUp: true });
  const portrait = syntheticPortrait(options.size);
  const prepared = prepareMeshwarp({ image: portrait, landmarks: portrait.landmarks });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const served: ServedSession[] = [];
  server.on('connection', (socket, request) => {
    const transport = parseTransport(new URL(request.url ?? '/', 'http://host').searchParams.get('transport'));
    if (typeof transport !== 'string') {
      socket.close(1008, transport.error);
      return;
    }
    const frames: LiveFrame[] = [];
    const pool = threads.portrait(prepared);
    const summary = serveSessionSocket({
      socket,
      inputSampleRate: options.inputSampleRate,
      width: options.size,
      height: options.size,
      fps: 25,
      transport,
      ...(options.webrtc === undefined ? {} : { webrtc: options.webrtc }),
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      start: (callbacks) =>
        startLiveSession({
          engine,
          pool,
          neutral: prepared.neutral,
          rest: createIdleMotion({ seed: 1, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
          features: () => streamFeatures(engine.audio.featureStream()),
          ...callbacks,
          onFrame: async (frame) => {
            frames.push(frame);
            await callbacks.onFrame(frame);
          },
        }),
    });
    void summary.finally(() => pool.close());
    served.push({ frames, summary });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    served,
    async close() {
      server.close();
      await threads.close();
      await engine.close();
    },
  };
}

/** PCM16 mono: silence with a 4 ms 2 kHz click every 400 ms from 213 ms on (not on a frame boundary). */
export function clickTrack(seconds: number, rate: number): { pcm: Buffer; clicks: number[] } {
  const n = Math.round(seconds * rate);
  const pcm = Buffer.alloc(n * 2);
  const clicks: number[] = [];
  for (let t = 0.213; t < seconds - 0.1; t += 0.4) {
    clicks.push(t);
    const start = Math.round(t * rate);
    for (let i = 0; i < 0.004 * rate; i++) pcm.writeInt16LE(Math.round(26000 * Math.sin((2 * Math.PI * 2000 * i) / rate)), (start + i) * 2);
  }
  return { pcm, clicks };
}
