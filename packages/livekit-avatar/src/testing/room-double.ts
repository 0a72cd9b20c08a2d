import { EventEmitter } from 'node:events';
import type { RpcCall, RpcInvocation } from '../livekit-surface.ts';
import { ConnectionState, DEFAULT_RPC_RESPONSE_TIMEOUT_MS, MAX_RPC_PAYLOAD_BYTES, RoomEvent } from './double-constants.ts';
import { DoubleByteStreamReader, DoubleByteStreamWriter } from './double-data-stream.ts';
import type { AudioSource, LocalAudioTrack, LocalVideoTrack, TrackPublishOptions, VideoSource } from './double-media.ts';
import { RpcError } from './double-rpc-error.ts';
import { readToken, type DoubleTokenClaims } from './double-token.ts';

type LocalTrack = LocalAudioTrack | LocalVideoTrack;
type ByteStreamHandler = (reader: DoubleByteStreamReader, participantInfo: { identity: string }) => void;

/** A publication as rtc-node shows it: local on the publisher's side, remote on the others'. */
export interface DoubleTrackPublication {
  readonly sid: string;
  readonly name: string;
  readonly kind: number;
  readonly source: number;
  subscribed: boolean;
  track: { readonly sid: string; readonly name: string; readonly kind: number } | undefined;
}

/** An RPC as the double carried it, for the test to read. */
export interface RpcRecord {
  from: string;
  to: string;
  method: string;
  payload: string;
  /** performance.now() when it was sent. */
  at: number;
  response: string | null;
  errorCode: number | null;
}

/** rtc-node's participants, the fields the double fills in. */
export class DoubleParticipant {
  readonly trackPublications = new Map<string, DoubleTrackPublication>();

  constructor(
    readonly identity: string,
    readonly name: string,
    readonly attributes: Record<string, string>,
    readonly metadata: string,
    readonly sid: string,
  ) {}

  /** rtc-node's ParticipantKind.STANDARD. */
  readonly kind = 0;
}

let nextSid = 1;
let nextStream = 1;
let nextRequest = 1;

/** rtc-node's `LocalParticipant`: data streams, RPC and publishing, delivered through the double. */
export class DoubleLocalParticipant extends DoubleParticipant {
  private readonly rpcHandlers = new Map<string, (data: RpcInvocation) => Promise<string>>();

  constructor(
    claims: DoubleTokenClaims,
    private readonly room: DoubleRoom,
  ) {
    super(claims.identity, claims.name, claims.attributes, claims.metadata, `PA_${String(nextSid++)}`);
  }

  async streamBytes(options: { name?: string; topic?: string; attributes?: Record<string, string>; destinationIdentities?: string[]; streamId?: string; mimeType?: string; totalSize?: number } = {}): Promise<DoubleByteStreamWriter> {
    const info = {
      streamId: options.streamId ?? `ST_${String(nextStream++)}`,
      name: options.name ?? 'unknown',
      topic: options.topic ?? '',
      mimeType: options.mimeType ?? 'application/octet-stream',
      timestamp: Date.now(),
      ...(options.totalSize === undefined ? {} : { totalSize: options.totalSize }),
      attributes: { ...(options.attributes ?? {}) },
    };
    const readers: DoubleByteStreamReader[] = [];
    for (const other of this.room.others(options.destinationIdentities)) {
      const handler = other.byteStreamHandler(info.topic);
      // As in rtc-node, a stream on a topic nobody handles is dropped on arrival.
      if (handler === undefined) continue;
      const reader = new DoubleByteStreamReader(info);
      readers.push(reader);
      setImmediate(() => handler(reader, { identity: this.identity }));
    }
    return new DoubleByteStreamWriter(info, readers);
  }

  registerRpcMethod(method: string, handler: (data: RpcInvocation) => Promise<string>): void {
    this.rpcHandlers.set(method, handler);
  }

  unregisterRpcMethod(method: string): void {
    this.rpcHandlers.delete(method);
  }

  async performRpc({ destinationIdentity, method, payload, responseTimeout }: RpcCall): Promise<string> {
    if (Buffer.byteLength(payload) > MAX_RPC_PAYLOAD_BYTES) throw RpcError.builtIn('REQUEST_PAYLOAD_TOO_LARGE');
    const target = this.room.others([destinationIdentity])[0];
    if (target === undefined) throw RpcError.builtIn('RECIPIENT_NOT_FOUND');
    const timeoutMs = responseTimeout ?? DEFAULT_RPC_RESPONSE_TIMEOUT_MS;
    const invocation: RpcInvocation = { requestId: `RQ_${String(nextRequest++)}`, callerIdentity: this.identity, payload, responseTimeout: timeoutMs };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(RpcError.builtIn('RESPONSE_TIMEOUT')), timeoutMs)));
    const call: RpcRecord = { from: this.identity, to: destinationIdentity, method, payload, at: performance.now(), response: null, errorCode: null };
    this.room.recordRpc(call);
    try {
      const response = await Promise.race([new Promise<void>((resolve) => setImmediate(resolve)).then(() => target.localParticipant!.answerRpc(method, invocation)), timeout]);
      if (Buffer.byteLength(response) > MAX_RPC_PAYLOAD_BYTES) throw RpcError.builtIn('RESPONSE_PAYLOAD_TOO_LARGE');
      call.response = response;
      return response;
    } catch (error) {
      call.errorCode = error instanceof RpcError ? error.code : null;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** @internal The callee's side, as rtc-node's handleRpcMethodInvocation answers. */
  async answerRpc(method: string, invocation: RpcInvocation): Promise<string> {
    const handler = this.rpcHandlers.get(method);
    if (handler === undefined) throw RpcError.builtIn('UNSUPPORTED_METHOD');
    try {
      return await handler(invocation);
    } catch (error) {
      if (error instanceof RpcError) throw error;
      throw RpcError.builtIn('APPLICATION_ERROR');
    }
  }

  async publishTrack(track: LocalTrack, options: TrackPublishOptions): Promise<DoubleTrackPublication> {
    const publication: DoubleTrackPublication = { sid: track.sid, name: track.name, kind: track.kind, source: options.source, subscribed: false, track };
    this.trackPublications.set(track.sid, publication);
    this.room.emit(RoomEvent.LocalTrackPublished, publication, this);
    this.room.published(this.identity, track);
    return publication;
  }
}

/** Where the double's rooms live: one per name, participants by identity. */
export class DoubleServer {
  private readonly rooms = new Map<string, Map<string, DoubleRoom>>();
  private readonly sources = new Map<string, AudioSource | VideoSource>();
  /** Every RPC performed, in order. */
  readonly rpcs: RpcRecord[] = [];

  /** @internal */
  join(name: string, room: DoubleRoom): DoubleRoom[] {
    let members = this.rooms.get(name);
    if (members === undefined) this.rooms.set(name, (members = new Map()));
    const identity = room.localParticipant!.identity;
    const existing = members.get(identity);
    // As a LiveKit server does with a duplicate identity, the newcomer replaces the participant already there.
    if (existing !== undefined) void existing.disconnect();
    const others = [...members.values()].filter((member) => member !== existing);
    members.set(identity, room);
    return others;
  }

  /** @internal */
  leave(name: string, room: DoubleRoom): DoubleRoom[] {
    const members = this.rooms.get(name);
    if (members === undefined) return [];
    const identity = room.localParticipant!.identity;
    if (members.get(identity) === room) members.delete(identity);
    return [...members.values()];
  }

  /** @internal */
  members(name: string): DoubleRoom[] {
    return [...(this.rooms.get(name)?.values() ?? [])];
  }

  /** @internal */
  recordSource(identity: string, trackName: string, source: AudioSource | VideoSource): void {
    this.sources.set(`${identity}/${trackName}`, source);
  }

  /** The source behind a participant's published track: its captured frames, for the test to read. */
  publishedSource(identity: string, trackName: string): AudioSource | VideoSource | undefined {
    return this.sources.get(`${identity}/${trackName}`);
  }
}

/** rtc-node's `Room`, in process: connects through a {@link DoubleServer} instead of a LiveKit server. */
export class DoubleRoom extends EventEmitter {
  readonly remoteParticipants = new Map<string, DoubleParticipant>();
  localParticipant: DoubleLocalParticipant | undefined;
  connectionState: number = ConnectionState.CONN_DISCONNECTED;
  name: string | undefined;
  private autoSubscribe = true;
  private readonly byteStreamHandlers = new Map<string, ByteStreamHandler>();

  constructor(private readonly server: DoubleServer) {
    super();
  }

  get isConnected(): boolean {
    return this.connectionState !== ConnectionState.CONN_DISCONNECTED;
  }

  async connect(url: string, token: string, options: { autoSubscribe: boolean; dynacast: boolean } = { autoSubscribe: true, dynacast: false }): Promise<void> {
    if (!/^wss?:\/\//.test(url)) throw new Error(`a LiveKit URL starts with ws:// or wss://. Passed: ${url}`);
    if (this.isConnected) throw new Error('the room is already connected');
    const claims = readToken(token);
    this.autoSubscribe = options.autoSubscribe;
    this.name = claims.room;
    this.localParticipant = new DoubleLocalParticipant(claims, this);
    const others = this.server.join(claims.room, this);
    for (const other of others) this.remoteParticipants.set(other.localParticipant!.identity, other.remoteView());
    this.connectionState = ConnectionState.CONN_CONNECTED;
    this.emit(RoomEvent.ConnectionStateChanged, ConnectionState.CONN_CONNECTED);
    this.emit(RoomEvent.Connected);
    const view = this.remoteView();
    for (const other of others) other.participantJoined(view);
  }

  async disconnect(): Promise<void> {
    if (!this.isConnected || this.name === undefined) return;
    const left = this.localParticipant!;
    const others = this.server.leave(this.name, this);
    this.connectionState = ConnectionState.CONN_DISCONNECTED;
    this.remoteParticipants.clear();
    this.emit(RoomEvent.ConnectionStateChanged, ConnectionState.CONN_DISCONNECTED);
    this.emit(RoomEvent.Disconnected, 0);
    for (const other of others) other.participantLeft(left.identity);
  }

  registerByteStreamHandler(topic: string, handler: ByteStreamHandler): void {
    if (this.byteStreamHandlers.has(topic)) throw new Error(`A byte stream handler for topic "${topic}" has already been set.`);
    this.byteStreamHandlers.set(topic, handler);
  }

  unregisterByteStreamHandler(topic: string): void {
    this.byteStreamHandlers.delete(topic);
  }

  /** @internal */
  recordRpc(call: RpcRecord): void {
    this.server.rpcs.push(call);
  }

  /** @internal */
  byteStreamHandler(topic: string): ByteStreamHandler | undefined {
    return this.byteStreamHandlers.get(topic);
  }

  /** @internal The connected rooms named (all the others when none is named). */
  others(identities?: string[]): DoubleRoom[] {
    if (this.name === undefined) return [];
    const all = this.server.members(this.name).filter((room) => room !== this && room.isConnected);
    if (identities === undefined || identities.length === 0) return all;
    return all.filter((room) => identities.includes(room.localParticipant!.identity));
  }

  /** @internal This room's participant as the others see it, with what it has published. */
  remoteView(): DoubleParticipant {
    const local = this.localParticipant!;
    const view = new DoubleParticipant(local.identity, local.name, local.attributes, local.metadata, local.sid);
    for (const [sid, publication] of local.trackPublications) view.trackPublications.set(sid, { ...publication, subscribed: false, track: undefined });
    return view;
  }

  /** @internal */
  participantJoined(participant: DoubleParticipant): void {
    this.remoteParticipants.set(participant.identity, participant);
    this.emit(RoomEvent.ParticipantConnected, participant);
  }

  /** @internal */
  participantLeft(identity: string): void {
    const participant = this.remoteParticipants.get(identity);
    if (participant === undefined) return;
    this.remoteParticipants.delete(identity);
    this.emit(RoomEvent.ParticipantDisconnected, participant);
  }

  /** @internal A track published here, shown to the others. */
  published(identity: string, track: LocalTrack): void {
    this.server.recordSource(identity, track.name, track.source);
    for (const other of this.others()) other.trackAppeared(identity, track);
  }

  /** @internal */
  trackAppeared(identity: string, track: LocalTrack): void {
    const participant = this.remoteParticipants.get(identity);
    const local = this.server.members(this.name!).find((room) => room.localParticipant?.identity === identity)?.localParticipant;
    const origin = local?.trackPublications.get(track.sid);
    if (participant === undefined || origin === undefined) return;
    const publication: DoubleTrackPublication = { ...origin, subscribed: false, track: undefined };
    participant.trackPublications.set(track.sid, publication);
    this.emit(RoomEvent.TrackPublished, publication, participant);
    if (this.autoSubscribe) {
      publication.subscribed = true;
      publication.track = { sid: track.sid, name: track.name, kind: track.kind };
      this.emit(RoomEvent.TrackSubscribed, publication.track, publication, participant);
    }
  }
}
