import { spawn, type ChildProcess } from 'node:child_process';
import { LiveMediaError } from './errors.ts';

const STDERR_TAIL_CHARACTERS = 4096;

/** How ffmpeg ended: its exit code, or the signal that killed it. */
export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A long-lived ffmpeg fed on stdin and read on stdout, one per live stream. `write` resolves once the pipe took the
 * bytes (the backpressure); a failure of the process shows as a LIVE_MEDIA_ENCODER_FAILED naming stderr's last lines.
 */
export class FfmpegProcess {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private exit: FfmpegExit | null = null;
  private spawnError: LiveMediaError | null = null;
  /** Settles when the process has ended (never rejects). */
  readonly ended: Promise<void>;

  constructor(
    readonly ffmpegPath: string,
    args: readonly string[],
    onStdout: (chunk: Buffer) => void,
  ) {
    this.child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', onStdout);
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARACTERS);
    });
    // A write into a pipe whose reader died reports EPIPE here; the exit status explains why.
    this.child.stdin!.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.spawnError =
          error.code === 'ENOENT'
            ? new LiveMediaError('LIVE_MEDIA_FFMPEG_MISSING', `ffmpeg was not found (${ffmpegPath}). Install ffmpeg.`)
            : new LiveMediaError('LIVE_MEDIA_ENCODER_FAILED', `ffmpeg could not start: ${error.message}`, { cause: error });
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
  }

  /** True once the process has exited or failed to start. */
  get hasEnded(): boolean {
    return this.exit !== null || this.spawnError !== null;
  }

  /** The process id, for measuring its CPU time. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.hasEnded) throw this.failure();
    const error = await new Promise<Error | null | undefined>((resolve) => this.child.stdin!.write(bytes, resolve));
    if (error) {
      await this.ended;
      throw this.failure();
    }
  }

  /** Closes stdin and waits for ffmpeg to flush and exit; rejects when it exits with an error. */
  async finish(): Promise<void> {
    this.child.stdin!.end();
    await this.ended;
    if (this.spawnError !== null || this.exit?.code !== 0) throw this.failure();
  }

  /** Kills ffmpeg at once; what it had not written is lost. */
  async destroy(): Promise<void> {
    if (!this.hasEnded) this.child.kill('SIGKILL');
    await this.ended;
  }

  /** Why the process ended, as the error to raise. */
  failure(): LiveMediaError {
    if (this.spawnError !== null) return this.spawnError;
    const how = this.exit === null ? 'ffmpeg stopped' : this.exit.code === null ? `ffmpeg was killed by ${this.exit.signal ?? 'a signal'}` : `ffmpeg exited with code ${this.exit.code}`;
    const lastLines = this.stderrTail.trim().split('\n').slice(-6).join('\n');
    return new LiveMediaError('LIVE_MEDIA_ENCODER_FAILED', lastLines === '' ? how : `${how}: ${lastLines}`);
  }
}
