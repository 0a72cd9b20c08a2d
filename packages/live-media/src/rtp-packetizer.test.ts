import { beforeAll, describe, expect, it } from 'vitest';
import { NAL_TYPE, nalUnitsOf } from './avc-sample.ts';
import { H264RtpPacketizer, OpusRtpPacketizer, type RtpPacket } from './rtp-packetizer.ts';
import { encodeSyntheticAv, type SyntheticAv } from './testing/encode-synthetic.ts';

let av: SyntheticAv;

beforeAll(async () => {
  av = await encodeSyntheticAv({ width: 320, height: 240, fps: 25, frames: 12, sampleRate: 16_000 });
}, 60_000);

/** A receiver's reassembly of one access unit's packets (RFC 6184 single NAL units and FU-A). */
function reassemble(packets: RtpPacket[]): Buffer[] {
  const units: Buffer[] = [];
  let fragment: Buffer[] | null = null;
  for (const { payload } of packets) {
    const type = payload[0]! & 0x1f;
    if (type !== 28) {
      units.push(payload);
      continue;
    }
    const start = (payload[1]! & 0x80) !== 0;
    const end = (payload[1]! & 0x40) !== 0;
    if (start) fragment = [Buffer.from([(payload[0]! & 0xe0) | (payload[1]! & 0x1f)])];
    fragment!.push(payload.subarray(2));
    if (end) {
      units.push(Buffer.concat(fragment!));
      fragment = null;
    }
  }
  return units;
}

describe('H264RtpPacketizer', () => {
  it('splits each access unit into packets a receiver reassembles to its NAL units, parameter sets before the IDR', () => {
    const parameterSets = [...av.decoderConfig.sequenceParameterSets, ...av.decoderConfig.pictureParameterSets];
    const packetizer = new H264RtpPacketizer({ payloadType: 102, ssrc: 0x1234abcd, firstSequence: 65530, parameterSets, maxPayloadBytes: 400 });
    let sequence = 65530;
    let fragmented = 0;
    for (const unit of av.units) {
      const packets = packetizer.packetize(unit.data, unit.ptsSeconds);
      const expected = nalUnitsOf(unit.data).filter((nal) => (nal[0]! & 0x1f) !== NAL_TYPE.accessUnitDelimiter);
      const got = reassemble(packets);
      expect(got.map((nal) => nal.toString('hex'))).toEqual([...(unit.keyframe ? parameterSets : []), ...expected].map((nal) => Buffer.from(nal).toString('hex')));
      for (const [i, packet] of packets.entries()) {
        expect(packet.bytes.length).toBeLessThanOrEqual(12 + 400);
        expect(packet.header).toMatchObject({ payloadType: 102, ssrc: 0x1234abcd, timestamp: Math.round(unit.ptsSeconds * 90_000), marker: i === packets.length - 1 });
        expect(packet.header.sequenceNumber).toBe(sequence);
        sequence = (sequence + 1) & 0xffff;
        // The datagram: version 2, marker and payload type, sequence, timestamp, SSRC, then the payload.
        expect(packet.bytes[0]).toBe(0x80);
        expect(packet.bytes[1]).toBe((packet.header.marker ? 0x80 : 0) | 102);
        expect(packet.bytes.readUInt16BE(2)).toBe(packet.header.sequenceNumber);
        expect(packet.bytes.readUInt32BE(4)).toBe(packet.header.timestamp);
        expect(packet.bytes.readUInt32BE(8)).toBe(0x1234abcd);
        expect(packet.bytes.subarray(12).equals(packet.payload)).toBe(true);
        if ((packet.payload[0]! & 0x1f) === 28) fragmented += 1;
      }
    }
    expect(av.units[0]!.keyframe).toBe(true);
    expect(fragmented).toBeGreaterThan(0);
    expect(sequence).toBeLessThan(65530); // wrapped
  });
});

describe('OpusRtpPacketizer', () => {
  it('puts each Opus packet in one RTP packet stamped with its 48 kHz start', () => {
    const packetizer = new OpusRtpPacketizer({ payloadType: 111, ssrc: 7, firstSequence: 100 });
    const packets = av.packets.map((packet) => packetizer.packetize(packet.data, packet.startSample));
    expect(packets.map((p) => p.header.sequenceNumber)).toEqual(av.packets.map((_, i) => 100 + i));
    expect(packets.map((p) => p.header.timestamp)).toEqual(av.packets.map((p) => p.startSample));
    expect(packets[1]!.header.timestamp - packets[0]!.header.timestamp).toBe(960);
    expect(packets.every((p, i) => p.payload.equals(av.packets[i]!.data) && !p.header.marker && p.header.payloadType === 111)).toBe(true);
  });
});
