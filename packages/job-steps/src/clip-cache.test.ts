import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryClipAudio, type PreparedClip, type RenderThreads } from '@portrait-farm/engine';
import { createStorage } from '@portrait-farm/storage';
import { ClipCache } from './clip-cache.ts';
import { decodePreparedClip, encodeWork } from './work-codec.ts';

const dir = mkdtempSync(join(tmpdir(), 'clip-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A prepared clip as a worker reads one back; the cache only hands it on and releases its audio. */
function clip(): PreparedClip & { released: boolean } {
  const released = { value: false };
  const audio = memoryClipAudio(new Float32Array(4));
  const value = { audioSamples: 4, audioSeconds: 1, melPeak: 1, fps: 25, source: { image: { data: new Uint8Array(3) } }, segments: [] };
  const decoded = decodePreparedClip(encodeWork('prepared-clip', value), () => ({ ...audio, release: async () => void (released.value = true) }));
  return Object.defineProperty(decoded, 'released', { get: () => released.value }) as PreparedClip & { released: boolean };
}

// Segments here never render: a pool is only asked for by withPool.
const noThreads = { portrait: () => { throw new Error('no render threads in this test'); } } as unknown as RenderThreads;

describe('ClipCache', () => {
  it('holds a clip it was just given until the preparing step lets it go, whatever other jobs fill the cache', async () => {
    // Empty storage: a clip the cache dropped would have to be read back, and is not there yet.
    const cache = new ClipCache(createStorage(join(dir, 'empty')), noThreads, 2);
    const leases = [];
    for (const job of ['a', 'b']) {
      const release = await cache.remember(job, clip());
      leases.push(await cache.lease(job));
      release();
    }
    const prepared = clip();
    const releasePrepared = await cache.remember('c', prepared);
    const lease = await cache.lease('c');
    expect(lease.clip).toBe(prepared);
    lease.release();
    releasePrepared();
    expect(prepared.released).toBe(false);

    // Once nothing uses it, the cache drops it (releasing its audio) when another job needs the room.
    for (const held of leases) held.release();
    await cache.remember('d', clip()).then((release) => release());
    await cache.remember('e', clip()).then((release) => release());
    expect(prepared.released).toBe(true);
    await expect(cache.lease('c')).rejects.toThrow('Prepared clip jobs/c/work/clip.bin is not in storage.');
    await cache.close();
  });

  it('keeps the clip it has for a job prepared again in this process, and releases the new clip\'s audio with the step', async () => {
    const cache = new ClipCache(createStorage(join(dir, 'empty')), noThreads, 2);
    const first = clip();
    (await cache.remember('a', first))();
    const again = clip();
    const releaseAgain = await cache.remember('a', again);
    const lease = await cache.lease('a');
    expect(lease.clip).toBe(first);
    expect(again.released).toBe(false); // the step still stores its samples
    releaseAgain();
    await new Promise((resolve) => setImmediate(resolve));
    expect(again.released).toBe(true);
    lease.release();
    expect(first.released).toBe(false);
    await cache.close();
    expect(first.released).toBe(true);
  });
});
