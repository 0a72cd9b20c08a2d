import { rm } from 'node:fs/promises';
import { MediaError } from './errors.ts';
import { describeExit, type ToolProcess } from './run-tool.ts';

/** How {@link feedFrames} checks, converts and pipes the frames of one ffmpeg process. */
export interface FramePipeSpec {
  /** Names the output in error messages (a file, or a batch of them). */
  describe: string;
  /** Files the process writes: removed when it is aborted or killed. */
  outs: readonly string[];
  /** Bytes of every frame written. */
  frameBytes: number;
  /** Why a frame of another length is refused. */
  badFrameMessage(length: number): string;
  /** Turns a written frame into the bytes piped into the buffer given (reused while no write is in flight), or null to pipe frames as written. */
  convert: ((frame: Uint8Array, into: Uint8Array | null) => Uint8Array) | null;
  /** ffmpeg stops reading once it has written this many seconds (its `-t`); frames after that are dropped. Null: none. */
  durationSeconds: number | null;
  fps: number;
  /** Frames the process takes in all; a write past it, or a finish before it, is an error. Null: any number. */
  frameLimit: number | null;
  signal: AbortSignal | null;
}

/** The writing side of an ffmpeg process fed with raw frames on stdin. */
export interface FramePipe {
  /** Sends one frame; resolves once ffmpeg has taken it, so the caller may then reuse the buffer. Await each write: that is the backpressure. */
  write(frame: Uint8Array): Promise<void>;
  /** Closes stdin and waits for ffmpeg to finish; resolves with the frames its outputs keep. */
  finish(): Promise<number>;
  /** Kills ffmpeg and removes the partial outputs. */
  abort(): Promise<void>;
}

const removeAll = async (outs: readonly string[]): Promise<void> => {
  await Promise.all(outs.map((out) => rm(out, { force: true })));
};

/** Feeds `proc` (an ffmpeg started with stdin piped) frames by `spec`. */
export function feedFrames(proc: ToolProcess, spec: FramePipeSpec): FramePipe {
  const stdin = proc.child.stdin;
  if (stdin === null) throw new MediaError('MEDIA_ENCODE_FAILED', `ffmpeg for ${spec.describe} has no stdin`);
  let converted: Uint8Array | null = null;
  let writesInFlight = 0;
  let frames = 0;
  let state: 'open' | 'finishing' | 'closed' = 'open';
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: unknown = null;
  const exited = proc.exited.then(
    (info) => {
      exitInfo = info;
      return info;
    },
    async (error: unknown) => {
      spawnError = error;
      if (error instanceof MediaError && error.code === 'MEDIA_ABORTED') await removeAll(spec.outs);
      return { code: null, signal: null };
    },
  );
  // A write into a pipe whose reader died reports EPIPE here; the exit status explains why.
  stdin.on('error', () => undefined);

  async function failure(): Promise<Error> {
    await exited;
    if (spawnError instanceof Error) return spawnError;
    const info = exitInfo ?? { code: null, signal: null };
    return new MediaError(
      'MEDIA_ENCODE_FAILED',
      `Encoding ${spec.describe} failed: ${describeExit('ffmpeg', info.code, info.signal, proc.stderrTail())}`,
    );
  }

  async function cutAtDuration(): Promise<boolean> {
    const info = await exited;
    return spec.durationSeconds !== null && spawnError === null && info.code === 0;
  }

  async function abort(): Promise<void> {
    if (state === 'closed') return;
    state = 'closed';
    proc.child.kill('SIGKILL');
    await exited;
    await removeAll(spec.outs);
  }

  return {
    async write(frame) {
      if (state !== 'open') {
        throw new MediaError('MEDIA_ENCODER_CLOSED', `Encoder for ${spec.describe} is ${state}; write() came after it`);
      }
      if (frame.length !== spec.frameBytes) throw new MediaError('MEDIA_BAD_FRAME', spec.badFrameMessage(frame.length));
      if (spec.frameLimit !== null && frames + writesInFlight >= spec.frameLimit) {
        throw new MediaError('MEDIA_BAD_FRAME', `Encoder for ${spec.describe} takes ${spec.frameLimit} frames; frame ${spec.frameLimit + 1} was written`);
      }
      if (spec.signal?.aborted === true) throw await failure();
      if (exitInfo !== null || spawnError !== null) {
        if (await cutAtDuration()) return;
        throw await failure();
      }
      let piped = frame;
      if (spec.convert !== null) {
        piped = spec.convert(frame, writesInFlight === 0 ? converted : null);
        if (writesInFlight === 0) converted = piped;
      }
      writesInFlight += 1;
      const error = await new Promise<Error | null | undefined>((resolve) => {
        stdin.write(piped, (err) => resolve(err));
      });
      writesInFlight -= 1;
      if (error) {
        if (await cutAtDuration()) return;
        throw await failure();
      }
      frames += 1;
    },
    async finish() {
      if (state !== 'open') {
        throw new MediaError('MEDIA_ENCODER_CLOSED', `Encoder for ${spec.describe} is ${state}; finish() came after it`);
      }
      if (spec.frameLimit !== null && frames !== spec.frameLimit) {
        await abort();
        throw new MediaError('MEDIA_BAD_FRAME', `Encoder for ${spec.describe} takes ${spec.frameLimit} frames; ${frames} were written before finish()`);
      }
      state = 'finishing';
      stdin.end();
      const info = await exited;
      state = 'closed';
      if (spawnError !== null || info.code !== 0) throw await failure();
      return spec.durationSeconds === null ? frames : Math.min(frames, Math.ceil(spec.durationSeconds * spec.fps - 1e-9));
    },
    abort,
  };
}
