import type { WebSocket } from 'ws';
import { createPcm16Resampler, type Pcm16Rate } from '@portrait-farm/audio-features';
import { createFmp4Output, type Fmp4Output } from './fmp4-output.ts';
import { LatencyRecorder } from './latency-stats.ts';
import type { LiveClock, LiveEvent, LiveFrame, LiveSession, LiveSessionOptions } from './live-session.ts';
import { parseClientMessage } from './session-protocol.ts';
import { createWebRtcOutput, type WebRtcOutput, type WebRtcOutputCounts } from './webrtc-output.ts';
import { webRtcUnavailableReason, type WebRtcIceOptions } from './webrtc-peer.ts';
import type { LiveTransport, ServerMessage, SessionEndReason, SessionErrorCode } from '@portrait-farm/contracts';

/** Options of {@link serveSessionSocket}. */
export interface SessionSocketOptions {
  socket: WebSocket;
  /** Rate of the PCM16 the client sends. */
  inputSampleRate: Pcm16Rate;
  width: number;
  height: number;
  /** The session's frame rate (the pack's). */
  fps: number;
  /** Starts the session's engine side, which hands its sound, frames and events to these. */
  start(callbacks: Pick<LiveSessionOptions, 'onPlanned' | 'onFrame' | 'onEvent'>): Promise<LiveSession>;
  /** The session ends when the client sends nothing for this long (ms). @defaultValue 60 000 */
  idleTimeoutMs?: number;
  /** The session ends this long after it started (ms). @defaultValue 3 600 000 */
  maxDurationMs?: number;
  /** How often a `stats` message goes out (ms). @defaultValue 1000 */
  statsIntervalMs?: number;
  /** A client that lets this much unsent data pile up is dropped (bytes). @defaultValue 8 MiB */
  maxBufferedBytes?: number;
  clock?: LiveClock;
  /**
   * How picture and sound reach the client (the stream URL's `transport=`). With `webrtc` where this process cannot
   * run it (Node.js < 22), the client gets a `SESSION_WEBRTC_UNAVAILABLE` error and the session goes on over fMP4.
   * @defaultValue 'fmp4'
   */
  transport?: LiveTransport;
  /** Where the WebRTC peer listens (transport `webrtc`). */
  webrtc?: WebRtcIceOptions;
  /**
   * Ends the session from the server's side (DELETE, shutdown): the client gets `closed` with the abort's reason
   * (a SessionEndReason; `shutdown` otherwise), then the socket closes.
   */
  signal?: AbortSignal;
}

const END_REASONS: ReadonlySet<string> = new Set(['client', 'idle_timeout', 'max_duration', 'error', 'deleted', 'shutdown']);

/** How a session ended. */
export interface SessionSummary {
  reason: SessionEndReason;
  secondsStreamed: number;
  latency: ReturnType<LatencyRecorder['summary']>;
  /** What the WebRTC output sent (null over fMP4). */
  webrtc: WebRtcOutputCounts | null;
}

/**
 * Runs one session over a WebSocket: PCM16 in, control messages in, fMP4 (or WebRTC signalling) and playback events
 * out (see session-protocol.ts), until the client closes, goes quiet for too long, or the session reaches its maximum length.
 */
export function serveSessionSocket(options: SessionSocketOptions): Promise<SessionSummary> {
  const { socket } = options;
  const clock = options.clock ?? { now: () => performance.now() };
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const recorder = new LatencyRecorder();
  const resampler = createPcm16Resampler(options.inputSampleRate);
  const frames = new Map<number, LiveFrame>();
  let framesSent = 0;
  const fps = options.fps;
  let session: LiveSession | null = null;
  let ending: SessionEndReason | null = null;
  let lastHeard = clock.now();
  let encodersReady: () => void = () => {};
  const encodersStarted = new Promise<void>((resolve) => (encodersReady = resolve));

  const send = (message: ServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const sendError = (code: SessionErrorCode, message: string): void => send({ type: 'error', code, message });

  const sendReady = (transport: LiveTransport, mimeType: string | null): void => {
    send({ type: 'ready', transport, mimeType, fps, width: options.width, height: options.height, inputSampleRate: options.inputSampleRate });
  };
  const frameSent = (slot: number): void => {
    const frame = frames.get(slot);
    if (frame === undefined) return;
    frames.delete(slot);
    framesSent += 1;
    recorder.record(frame, clock.now());
  };

  const openFmp4 = (): Fmp4Output =>
    createFmp4Output({
      width: options.width,
      height: options.height,
      fps,
      onSegment: (segment) => {
        if (socket.readyState !== socket.OPEN) return;
        if (segment.kind === 'init') sendReady('fmp4', segment.mimeType);
        socket.send(segment.bytes);
        if (segment.kind === 'init') encodersReady();
        if (segment.slot === null) return;
        frameSent(segment.slot);
        if (socket.bufferedAmount > maxBufferedBytes) {
          sendError('SESSION_SLOW_CONSUMER', `the client let ${socket.bufferedAmount} bytes pile up unsent; the session ends`);
          end('error');
        }
      },
    });

  let webrtc: WebRtcOutput | null = null;
  /** WebRTC: the offer goes out first; `ready` once the encoders run and the client's peer is connected. */
  const openWebRtc = async (): Promise<WebRtcOutput> => {
    const out = await createWebRtcOutput({ width: options.width, height: options.height, fps, ice: options.webrtc, onFrameSent: frameSent });
    webrtc = out;
    send({ type: 'webrtc_offer', sdp: out.offer });
    out.started.then(
      () => {
        sendReady('webrtc', null);
        encodersReady();
      },
      (error: unknown) => {
        sendError('SESSION_FAILED', error instanceof Error ? error.message : String(error));
        end('error');
      },
    );
    return out;
  };

  let output: Fmp4Output | WebRtcOutput | null = null;

  const onEvent = (event: LiveEvent): void => {
    if (event.type === 'playback_started') send({ type: 'playback_started', utterance: event.utterance });
    else if (event.type === 'playback_finished') {
      send({ type: 'playback_finished', utterance: event.utterance, playback_position: event.positionSeconds, interrupted: event.interrupted });
    } else {
      sendError('SESSION_FAILED', event.message);
      end('error');
    }
  };

  const onMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
    if (ending !== null) return;
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    // The answer comes before the session's clock starts: the clock waits for the connection it opens.
    const message = isBinary ? null : parseClientMessage(bytes.toString('utf8'));
    if (message !== null && !('error' in message) && message.type === 'webrtc_answer') {
      lastHeard = clock.now();
      if (webrtc === null) return sendError('SESSION_BAD_MESSAGE', 'webrtc_answer: this session was not offered WebRTC (connect with transport=webrtc)');
      webrtc.acceptAnswer(message.sdp).catch((error: unknown) => sendError('SESSION_BAD_MESSAGE', `webrtc_answer: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    if (session === null) return;
    lastHeard = clock.now();
    if (message === null) {
      const samples = resampler.push(bytes);
      if (samples.length > 0) session.pushAudio(samples);
      return;
    }
    if ('error' in message) return sendError('SESSION_BAD_MESSAGE', message.error);
    if (message.type === 'audio_end') {
      const tail = resampler.flush();
      if (tail.length > 0) session.pushAudio(tail);
      session.endUtterance();
      resampler.reset();
    } else if (message.type === 'clear') {
      resampler.reset();
      const cleared = session.clear();
      send({ type: 'cleared', utterance: cleared?.utterance ?? null, playback_position: cleared?.positionSeconds ?? 0 });
    } else if (message.type === 'state') session.setState(message.state);
  };

  let finish: (summary: SessionSummary) => void = () => {};
  const done = new Promise<SessionSummary>((resolve) => (finish = resolve));
  const timers: NodeJS.Timeout[] = [];

  const end = (reason: SessionEndReason): void => {
    if (ending !== null) return;
    ending = reason;
    encodersReady();
    signal?.removeEventListener('abort', onAbort);
    for (const timer of timers) clearInterval(timer);
    void (async () => {
      await session?.close().catch(() => {});
      const sent = webrtc?.counts() ?? null;
      await output?.destroy().catch(() => {});
      const secondsStreamed = framesSent / fps;
      send({ type: 'closed', reason, seconds_streamed: secondsStreamed });
      if (socket.readyState === socket.OPEN) socket.close(1000, reason);
      finish({ reason, secondsStreamed, latency: recorder.summary(), webrtc: sent });
    })();
  };

  socket.on('message', onMessage);
  socket.on('close', () => end('client'));
  socket.on('error', () => end('client'));
  const signal = options.signal;
  const onAbort = (): void => end(typeof signal?.reason === 'string' && END_REASONS.has(signal.reason) ? (signal.reason as SessionEndReason) : 'shutdown');
  if (signal?.aborted === true) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  void (async () => {
    try {
      const unavailable = options.transport === 'webrtc' ? webRtcUnavailableReason() : null;
      if (unavailable !== null) sendError('SESSION_WEBRTC_UNAVAILABLE', `${unavailable}; the session goes on over fMP4`);
      output = options.transport === 'webrtc' && unavailable === null ? await openWebRtc() : openFmp4();
      if (ending !== null) {
        await output.destroy();
        return;
      }
      const out = output;
      session = await options.start({
        onPlanned: (_slot, audio) => void out.writeAudio(audio).catch((error: unknown) => onEvent({ type: 'error', message: String(error) })),
        onFrame: async (frame) => {
          frames.set(frame.slot, frame);
          await out.writeVideo(frame);
          // The session's clock starts once both encoders run (the init segment needs slot 0 coded and the Opus
          // header): ffmpeg's start-up is not counted against the frames after it.
          if (frame.slot === 0) await encodersStarted;
        },
        onEvent,
      });
      if (ending !== null) {
        await session.close();
        return;
      }
      lastHeard = clock.now();
      timers.push(setInterval(() => send({ type: 'stats', seconds: framesSent / fps, latency: recorder.summary() }), options.statsIntervalMs ?? 1000));
      timers.push(setInterval(() => clock.now() - lastHeard > idleTimeoutMs && end('idle_timeout'), Math.min(1000, idleTimeoutMs)));
      timers.push(setTimeout(() => end('max_duration'), options.maxDurationMs ?? 3_600_000));
    } catch (error) {
      sendError('SESSION_FAILED', error instanceof Error ? error.message : String(error));
      end('error');
    }
  })();
  return done;
}
