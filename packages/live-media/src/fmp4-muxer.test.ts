import { beforeAll, describe, expect, it } from 'vitest';
import { Fmp4Muxer } from './fmp4-muxer.ts';
import { encodeSyntheticAv, type SyntheticAv } from './testing/encode-synthetic.ts';
import { boxesOf, findBox, readBoxes } from './testing/mp4-boxes.ts';

let av: SyntheticAv;
let muxer: Fmp4Muxer;

beforeAll(async () => {
  av = await encodeSyntheticAv({ width: 128, height: 96, fps: 25, frames: 10, sampleRate: 16_000 });
  muxer = new Fmp4Muxer({ video: { width: 128, height: 96, fps: 25, decoderConfig: av.decoderConfig }, audio: { head: av.opusHead } });
});

describe('Fmp4Muxer.init', () => {
  it('writes ftyp and a moov with an avc1 track (the encoder avcC) and an Opus track (dOps from OpusHead, at the 48 kHz Chromium expects)', () => {
    const boxes = readBoxes(muxer.init());
    expect(boxes.map((b) => b.type)).toEqual(['ftyp', 'moov']);
    expect(boxes[0]!.content.toString('latin1', 0, 4)).toBe('isom');
    const moov = boxes[1]!;
    expect(moov.children.map((b) => b.type)).toEqual(['mvhd', 'trak', 'trak', 'mvex']);
    const [videoTrak, audioTrak] = boxesOf(moov.children, 'trak');
    const tkhd = findBox(videoTrak!.children, 'tkhd').content;
    expect([tkhd.readUInt32BE(12), tkhd.readUInt32BE(76) / 65536, tkhd.readUInt32BE(80) / 65536]).toEqual([1, 128, 96]);
    expect(findBox(videoTrak!.children, 'mdia/mdhd').content.readUInt32BE(12)).toBe(90_000);
    expect(findBox(videoTrak!.children, 'mdia/hdlr').content.toString('latin1', 8, 12)).toBe('vide');
    const avc1 = findBox(videoTrak!.children, 'mdia/minf/stbl/stsd/avc1');
    expect([avc1.content.readUInt16BE(24), avc1.content.readUInt16BE(26)]).toEqual([128, 96]);
    expect(findBox(avc1.children, 'avcC').content.equals(av.decoderConfig.record)).toBe(true);
    expect(findBox(audioTrak!.children, 'tkhd').content.readUInt32BE(12)).toBe(2);
    expect(findBox(audioTrak!.children, 'mdia/mdhd').content.readUInt32BE(12)).toBe(48_000);
    const opus = findBox(audioTrak!.children, 'mdia/minf/stbl/stsd/Opus');
    expect([opus.content.readUInt16BE(16), opus.content.readUInt32BE(24) / 65536]).toEqual([1, 48_000]);
    const dOps = findBox(opus.children, 'dOps').content;
    expect(dOps.length).toBe(11);
    expect([dOps[0], dOps[1], dOps.readUInt16BE(2), dOps.readUInt32BE(4), dOps.readInt16BE(8), dOps[10]]).toEqual([0, 1, av.opusHead.preSkip, 48_000, 0, 0]);
    expect(boxesOf(findBox(moov.children, 'mvex').children, 'trex').map((t) => t.content.readUInt32BE(4))).toEqual([1, 2]);
  });

  it('names the codecs from the SPS: constrained baseline and Opus', () => {
    expect(muxer.codecs()).toMatch(/^avc1\.42C0[0-9A-F]{2}, opus$/);
    expect(muxer.mimeType()).toBe(`video/mp4; codecs="${muxer.codecs()}"`);
    const videoOnly = new Fmp4Muxer({ video: { width: 128, height: 96, fps: 25, decoderConfig: av.decoderConfig } });
    expect(videoOnly.codecs()).toMatch(/^avc1\.42C0[0-9A-F]{2}$/);
    expect(readBoxes(videoOnly.init())[1]!.children.map((b) => b.type)).toEqual(['mvhd', 'trak', 'mvex']);
  });
});

describe('Fmp4Muxer.fragment', () => {
  it('carries the access unit and the Opus packets at their decode times, data offsets pointing into mdat', () => {
    const local = new Fmp4Muxer({ video: { width: 128, height: 96, fps: 25, decoderConfig: av.decoderConfig }, audio: { head: av.opusHead } });
    for (const index of [0, 1, 2]) {
      const unit = av.units[index]!;
      const packets = av.packets.slice(index * 2, index * 2 + 2);
      const bytes = local.fragment([unit], packets);
      const boxes = readBoxes(bytes);
      expect(boxes.map((b) => b.type)).toEqual(['moof', 'mdat']);
      const moof = boxes[0]!;
      expect(findBox(moof.children, 'mfhd').content.readUInt32BE(4)).toBe(index + 1);
      const [videoTraf, audioTraf] = boxesOf(moof.children, 'traf');
      expect(findBox(videoTraf!.children, 'tfhd').content.readUInt32BE(4)).toBe(1);
      expect(findBox(videoTraf!.children, 'tfdt').content.readBigUInt64BE(4)).toBe(BigInt(index * 3600));
      const trun = findBox(videoTraf!.children, 'trun').content;
      expect(trun.readUInt32BE(4)).toBe(1);
      const dataOffset = trun.readUInt32BE(8);
      expect([trun.readUInt32BE(12), trun.readUInt32BE(16), trun.readUInt32BE(20)]).toEqual([3600, unit.data.length, index === 0 ? 0x02000000 : 0x01010000]);
      expect(bytes.subarray(moof.offset + dataOffset, moof.offset + dataOffset + unit.data.length).equals(unit.data)).toBe(true);
      expect(findBox(audioTraf!.children, 'tfhd').content.readUInt32BE(4)).toBe(2);
      expect(findBox(audioTraf!.children, 'tfdt').content.readBigUInt64BE(4)).toBe(BigInt(packets[0]!.startSample));
      const audioTrun = findBox(audioTraf!.children, 'trun').content;
      expect(audioTrun.readUInt32BE(4)).toBe(2);
      let at = audioTrun.readUInt32BE(8);
      expect(at).toBe(dataOffset + unit.data.length);
      packets.forEach((packet, i) => {
        expect(audioTrun.readUInt32BE(12 + i * 12)).toBe(960);
        expect(bytes.subarray(at, at + packet.data.length).equals(packet.data)).toBe(true);
        at += packet.data.length;
      });
      expect(at).toBe(bytes.length);
    }
  });

  it('takes a fragment of video alone or audio alone, not an empty one', () => {
    expect(boxesOf(readBoxes(muxer.fragment([av.units[0]!]))[0]!.children, 'traf')).toHaveLength(1);
    expect(boxesOf(readBoxes(muxer.fragment([], av.packets.slice(0, 1)))[0]!.children, 'traf')).toHaveLength(1);
    expect(() => muxer.fragment([], [])).toThrow('A fragment needs at least one access unit or audio packet');
  });
});
