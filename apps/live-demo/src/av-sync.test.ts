import { describe, expect, it } from 'vitest';
import { VIDEO_TARGET_MAX_MS, VIDEO_TARGET_START_MS, nextVideoTarget } from './av-sync.ts';

describe('nextVideoTarget', () => {
  it('holds the picture for half of how late the sound plays, lets go of all of how early it plays, not below the start', () => {
    expect(nextVideoTarget(VIDEO_TARGET_START_MS, -100)).toBe(VIDEO_TARGET_START_MS + 50);
    expect(nextVideoTarget(110, -40)).toBe(130);
    expect(nextVideoTarget(130, 40)).toBe(90);
    expect(nextVideoTarget(70, 60)).toBe(VIDEO_TARGET_START_MS);
    expect(nextVideoTarget(900, -400)).toBe(VIDEO_TARGET_MAX_MS);
  });

  it('leaves an offset within 15 ms and an offset Chromium cannot give yet alone', () => {
    expect(nextVideoTarget(80, -15)).toBe(80);
    expect(nextVideoTarget(80, 12)).toBe(80);
    expect(nextVideoTarget(80, Number.NaN)).toBe(80);
  });
});
