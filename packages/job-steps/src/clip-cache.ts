import { prepareClipRenderer, type PreparedClip, type RenderPool, type RenderThreads } from '@portrait-farm/engine';
import type { ObjectStorage } from '@portrait-farm/storage';
import { JobStepError } from './errors.ts';
import { storedClipAudio } from './stored-clip-audio.ts';
import { readPreparedClip } from './work-stream-reader.ts';
import { workKeys } from './work-keys.ts';

interface Entry {
  clip: Promise<PreparedClip>;
  pool: RenderPool | null;
  /** The job's segments in this process render one at a time, so the earlier one's chunk is done first. */
  poolTurn: Promise<void>;
  users: number;
  usedAt: number;
}

/** A job's prepared clip and render pool, lent to one segment step and handed back with `release()`. */
export interface ClipLease {
  clip: PreparedClip;
  /** Runs `render` with the job's render pool, after any other segment of the job using it in this process. */
  withPool<T>(render: (pool: RenderPool) => Promise<T>): Promise<T>;
  release(): void;
}

/**
 * Per-process cache of prepared clips (downloaded once per job, not once per segment; none for jobs prepared here)
 * and of their render pools (the portrait's meshwarp preparation, loaded once per job into the process's render
 * threads). Keeps at most `capacity` jobs; the least recently used idle one is dropped when another is needed.
 */
export class ClipCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly storage: ObjectStorage,
    private readonly renderThreads: RenderThreads,
    private readonly capacity = 2,
  ) {}

  async lease(jobId: string): Promise<ClipLease> {
    const current = this.entryOf(jobId, () => this.load(jobId));
    const release = hold(current);
    let clip: PreparedClip;
    try {
      clip = await current.clip;
    } catch (error) {
      release();
      if (this.entries.get(jobId) === current) this.entries.delete(jobId);
      throw error;
    }
    await this.evict();
    // The portrait loads into the render threads while the segment computes its features and motion, not after.
    setImmediate(() => {
      if (this.entries.get(jobId) !== current) return;
      try {
        this.startPool(current, clip);
      } catch {
        // Threads closing (shutdown): the segment's own render reports it.
      }
    });
    return {
      clip,
      withPool: <T>(render: (pool: RenderPool) => Promise<T>): Promise<T> => {
        const run = current.poolTurn.then(() => render(this.startPool(current, clip)));
        current.poolTurn = run.then(
          () => {},
          () => {},
        );
        return run;
      },
      release,
    };
  }

  /**
   * Keeps a clip this process just prepared, so its segments here need not read it back from storage; the cache
   * releases its audio (the samples file) when it drops the job. The clip is held (never dropped) until the returned
   * function is called: the preparing step leases it for segment 0 while the clip may not be in storage yet, however
   * many other jobs the cache holds meanwhile. Where the cache already has the job (an earlier try of the step in this
   * process), it keeps that clip, the same bytes, and `clip`'s audio is released with the returned function.
   */
  async remember(jobId: string, clip: PreparedClip): Promise<() => void> {
    const entry = this.entryOf(jobId, () => Promise.resolve(clip));
    const release = hold(entry);
    await this.evict();
    if ((await entry.clip.catch(() => null)) === clip) return release;
    return () => {
      release();
      void clip.audio.release();
    };
  }

  /** Drops a job (it ended); its pool closes once no step uses it. */
  async forget(jobId: string): Promise<void> {
    const entry = this.entries.get(jobId);
    if (entry === undefined || entry.users > 0) return;
    this.entries.delete(jobId);
    await closeEntry(entry);
  }

  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map(closeEntry));
  }

  /** The job's entry, made with `clip` (its clip) if the cache has none. */
  private entryOf(jobId: string, clip: () => Promise<PreparedClip>): Entry {
    let entry = this.entries.get(jobId);
    if (entry === undefined) {
      entry = { clip: clip(), pool: null, poolTurn: Promise.resolve(), users: 0, usedAt: Date.now() };
      this.entries.set(jobId, entry);
    }
    return entry;
  }

  private startPool(entry: Entry, clip: PreparedClip): RenderPool {
    entry.pool ??= this.renderThreads.portrait(prepareClipRenderer(clip));
    return entry.pool;
  }

  private async load(jobId: string): Promise<PreparedClip> {
    const key = workKeys.clip(jobId);
    if (!(await this.storage.exists(key))) throw new JobStepError('FARM_MISSING_INPUT', `Prepared clip ${key} is not in storage.`);
    // Streamed into the clip's arrays; the audio stays in storage, each segment reads its stretch.
    return readPreparedClip(await this.storage.getStream(key), (sampleCount) => storedClipAudio(this.storage, workKeys.samples(jobId), sampleCount));
  }

  private async evict(): Promise<void> {
    while (this.entries.size > this.capacity) {
      const idle = [...this.entries.entries()].filter(([, e]) => e.users === 0).sort((a, b) => a[1].usedAt - b[1].usedAt)[0];
      if (idle === undefined) return;
      this.entries.delete(idle[0]);
      await closeEntry(idle[1]);
    }
  }
}

/** Counts a user of `entry` (never evicted while it has one) until the returned function is called (once counts). */
function hold(entry: Entry): () => void {
  entry.users++;
  entry.usedAt = Date.now();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    entry.users--;
    entry.usedAt = Date.now();
  };
}

async function closeEntry(entry: Entry): Promise<void> {
  await entry.pool?.close();
  await entry.clip.then((clip) => clip.audio.release(), () => {});
}
