import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { inspectPortrait } from './inspect-portrait.ts';

const dir = mkdtempSync(join(tmpdir(), 'inspect-portrait-'));

async function picture(name: string, width: number, height: number, format: 'png' | 'gif'): Promise<string> {
  const path = join(dir, name);
  await sharp({ create: { width, height, channels: 3, background: '#808080' } }).toFormat(format).toFile(path);
  return path;
}

describe('inspectPortrait', () => {
  it('gives the size and the downscaled size of a large portrait in full mode only', async () => {
    const large = await picture('large.png', 4001, 3000, 'png');
    expect(await inspectPortrait(large)).toEqual({ width: 4001, height: 3000, downscaledTo: { width: 1920, height: 1438 } });
    expect(await inspectPortrait(large, 'crop')).toEqual({ width: 4001, height: 3000, downscaledTo: null });
    expect((await inspectPortrait(await picture('small.png', 640, 480, 'png'))).downscaledTo).toBeNull();
  });

  it('rejects other formats and damaged files with IMAGE_UNREADABLE', async () => {
    await expect(inspectPortrait(await picture('anim.gif', 64, 64, 'gif'))).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
    const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080' } }).png().toBuffer();
    const truncated = join(dir, 'truncated.png');
    writeFileSync(truncated, png.subarray(0, 60));
    await expect(inspectPortrait(truncated)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'not a picture');
    await expect(inspectPortrait(text)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringContaining('notes.png') });
  });
});
