// The session WebSocket from the page's side (the protocol: docs/realtime.md, "Session protocol").

import type { ServerMessage } from '@portrait-farm/contracts';

export type { LatencySummary, Percentiles, ServerMessage } from '@portrait-farm/contracts';

export interface SessionHandlers {
  onMessage(message: ServerMessage): void;
  /** The init segment, then one fragment per frame (transport fmp4). */
  onMedia(segment: ArrayBuffer): void;
  onClose(code: number, reason: string): void;
}

export class SessionClient {
  readonly #socket: WebSocket;
  /** When the first audio of the current utterance went out (performance.now()), for the first-frame figure. */
  utteranceStartedAt: number | null = null;

  constructor(url: string, handlers: SessionHandlers) {
    this.#socket = new WebSocket(url);
    this.#socket.binaryType = 'arraybuffer';
    this.#socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
      if (typeof event.data === 'string') handlers.onMessage(JSON.parse(event.data) as ServerMessage);
      else handlers.onMedia(event.data);
    });
    this.#socket.addEventListener('close', (event) => handlers.onClose(event.code, event.reason));
  }

  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  sendAudio(chunk: Uint8Array<ArrayBuffer>): void {
    if (!this.open) return;
    this.utteranceStartedAt ??= performance.now();
    this.#socket.send(chunk);
  }

  endUtterance(): void {
    this.#send({ type: 'audio_end' });
    this.utteranceStartedAt = null;
  }

  clear(): void {
    this.#send({ type: 'clear' });
    this.utteranceStartedAt = null;
  }

  setState(state: 'idle' | 'listening'): void {
    this.#send({ type: 'state', state });
  }

  /** The answer to the worker's `webrtc_offer` (transport=webrtc). */
  sendAnswer(sdp: string): void {
    this.#send({ type: 'webrtc_answer', sdp });
  }

  close(): void {
    this.#socket.close(1000, 'page closed the session');
  }

  #send(message: object): void {
    if (this.open) this.#socket.send(JSON.stringify(message));
  }
}
