import { describe, expect, it } from 'vitest';
import * as rtc from '@livekit/rtc-node';
import type { LiveKitRtc } from '../livekit-surface.ts';
import { createRoomDouble, doubleToken, RpcError, STREAM_CHUNK_BYTES, type DoubleByteStreamReader } from './index.ts';

const URL_ = 'wss://livekit.invalid';

async function pair(): Promise<{ a: InstanceType<ReturnType<typeof createRoomDouble>['rtc']['Room']>; b: InstanceType<ReturnType<typeof createRoomDouble>['rtc']['Room']>; double: ReturnType<typeof createRoomDouble> }> {
  const double = createRoomDouble();
  const a = new double.rtc.Room();
  const b = new double.rtc.Room();
  await a.connect(URL_, doubleToken({ identity: 'a', room: 'r' }));
  await b.connect(URL_, doubleToken({ identity: 'b', room: 'r', attributes: { role: 'avatar' } }));
  return { a, b, double };
}

describe('room double', () => {
  it('uses rtc-node\'s names and values', () => {
    const { rtc: d } = createRoomDouble();
    const surface: LiveKitRtc = d;
    expect(surface.Room).toBe(d.Room);
    for (const [key, value] of Object.entries(d.RoomEvent)) expect(rtc.RoomEvent[key as keyof typeof rtc.RoomEvent], key).toBe(value);
    for (const [key, value] of Object.entries(d.RpcErrorCode)) expect(rtc.RpcError.ErrorCode[key as keyof typeof rtc.RpcError.ErrorCode], key).toBe(value);
    expect([d.ConnectionState.CONN_DISCONNECTED, d.ConnectionState.CONN_CONNECTED]).toEqual([rtc.ConnectionState.CONN_DISCONNECTED, rtc.ConnectionState.CONN_CONNECTED]);
    expect([d.TrackKind.KIND_AUDIO, d.TrackKind.KIND_VIDEO]).toEqual([rtc.TrackKind.KIND_AUDIO, rtc.TrackKind.KIND_VIDEO]);
    expect([d.TrackSource.SOURCE_CAMERA, d.TrackSource.SOURCE_MICROPHONE]).toEqual([rtc.TrackSource.SOURCE_CAMERA, rtc.TrackSource.SOURCE_MICROPHONE]);
    expect(d.VideoBufferType.I420).toBe(rtc.VideoBufferType.I420);
  });

  it('shows participants to each other, with their token\'s attributes, and their leaving', async () => {
    const { a, b } = await pair();
    expect(a.remoteParticipants.get('b')?.attributes).toEqual({ role: 'avatar' });
    expect(b.remoteParticipants.has('a')).toBe(true);
    const left: string[] = [];
    a.on('participantDisconnected', (p: { identity: string }) => left.push(p.identity));
    await b.disconnect();
    expect(left).toEqual(['b']);
    expect(a.remoteParticipants.size).toBe(0);
    expect(b.isConnected).toBe(false);
    await a.disconnect();
  });

  it('delivers byte streams to the destination\'s handler chunk by chunk, in order, with topic and attributes', async () => {
    const { a, b } = await pair();
    const received: { topic: string; attributes: Record<string, string> | undefined; from: string; chunks: number[]; bytes: number }[] = [];
    const done = new Promise<void>((resolve) => {
      b.registerByteStreamHandler('t', (reader: DoubleByteStreamReader, from) => {
        void (async () => {
          const entry = { topic: reader.info.topic, attributes: reader.info.attributes, from: from.identity, chunks: [] as number[], bytes: 0 };
          for await (const chunk of reader) {
            entry.chunks.push(chunk.length);
            entry.bytes += chunk.length;
          }
          received.push(entry);
          resolve();
        })();
      });
    });
    expect(() => b.registerByteStreamHandler('t', () => {})).toThrow(/already been set/);
    const writer = await a.localParticipant!.streamBytes({ topic: 't', attributes: { sample_rate: '16000' }, destinationIdentities: ['b'] });
    await writer.write(new Uint8Array(40_000));
    await writer.write(new Uint8Array(10));
    await writer.close();
    await expect(writer.write(new Uint8Array(1))).rejects.toThrow(/closed/);
    await done;
    expect(received).toEqual([{ topic: 't', attributes: { sample_rate: '16000' }, from: 'a', chunks: [STREAM_CHUNK_BYTES, STREAM_CHUNK_BYTES, 10_000, 10], bytes: 40_010 }]);
    // A topic nobody handles is dropped.
    const ignored = await a.localParticipant!.streamBytes({ topic: 'other' });
    await ignored.write(new Uint8Array(3));
    await ignored.close();
  });

  it('carries RPCs with method names, payloads, responses and rtc-node\'s errors', async () => {
    const { a, b } = await pair();
    b.localParticipant!.registerRpcMethod('echo', async (data) => `${data.callerIdentity}:${data.payload}`);
    b.localParticipant!.registerRpcMethod('refuse', async () => {
      throw new RpcError(1599, 'no', 'details');
    });
    b.localParticipant!.registerRpcMethod('crash', async () => {
      throw new Error('boom');
    });
    b.localParticipant!.registerRpcMethod('slow', () => new Promise(() => {}));
    const call = (method: string, payload = '', responseTimeout?: number): Promise<string> => a.localParticipant!.performRpc({ destinationIdentity: 'b', method, payload, ...(responseTimeout === undefined ? {} : { responseTimeout }) });
    await expect(call('echo', 'hi')).resolves.toBe('a:hi');
    await expect(call('refuse')).rejects.toMatchObject({ code: 1599, message: 'no', data: 'details' });
    await expect(call('crash')).rejects.toMatchObject({ code: rtc.RpcError.ErrorCode.APPLICATION_ERROR });
    await expect(call('missing')).rejects.toMatchObject({ code: rtc.RpcError.ErrorCode.UNSUPPORTED_METHOD });
    await expect(call('slow', '', 50)).rejects.toMatchObject({ code: rtc.RpcError.ErrorCode.RESPONSE_TIMEOUT });
    await expect(call('echo', 'x'.repeat(16 * 1024))).rejects.toMatchObject({ code: rtc.RpcError.ErrorCode.REQUEST_PAYLOAD_TOO_LARGE });
    await expect(a.localParticipant!.performRpc({ destinationIdentity: 'nobody', method: 'echo', payload: '' })).rejects.toMatchObject({ code: rtc.RpcError.ErrorCode.RECIPIENT_NOT_FOUND });
  });

  it('shows a published track to the others, and hands the test the frames captured on it', async () => {
    const { a, b, double } = await pair();
    const d = double.rtc;
    const published: string[] = [];
    a.on('trackPublished', (publication: { name: string }, participant: { identity: string }) => published.push(`${participant.identity}/${publication.name}`));
    const source = new d.VideoSource(4, 2);
    await b.localParticipant!.publishTrack(d.LocalVideoTrack.createVideoTrack('cam', source), new d.TrackPublishOptions({ source: d.TrackSource.SOURCE_CAMERA }));
    expect(published).toEqual(['b/cam']);
    const publication = [...a.remoteParticipants.get('b')!.trackPublications.values()][0]!;
    expect(publication).toMatchObject({ name: 'cam', kind: d.TrackKind.KIND_VIDEO, source: d.TrackSource.SOURCE_CAMERA, subscribed: true });
    source.captureFrame(new d.VideoFrame(new Uint8Array(12), 4, 2, d.VideoBufferType.I420), 40_000n);
    expect(() => new d.VideoFrame(new Uint8Array(11), 4, 2, d.VideoBufferType.I420)).toThrow(/has 12 bytes/);
    expect(double.server.publishedSource('b', 'cam')?.captured.map((f) => ('timestampUs' in f ? f.timestampUs : null))).toEqual([40_000n]);
    const audio = new d.AudioSource(16000, 1);
    await expect(audio.captureFrame(new d.AudioFrame(new Int16Array(480), 48000, 1, 480))).rejects.toThrow(/16000 Hz/);
  });
});
