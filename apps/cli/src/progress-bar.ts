import type { RenderProgress } from './engine-contract.ts';
import { formatClock, type OutputStream } from './output-stream.ts';
import { createRenderEta } from './render-eta.ts';

/** Options of {@link createProgressDisplay}. */
export interface ProgressDisplayOptions {
  /**
   * Milliseconds between redraws of the terminal line (stage changes always draw).
   * @defaultValue 100
   */
  redrawMs?: number;
  /**
   * Milliseconds between plain lines when the stream is not a terminal (stage changes always print).
   * @defaultValue 5000
   */
  lineMs?: number;
  /**
   * Clock in milliseconds.
   * @defaultValue performance.now
   */
  now?: () => number;
}

/** Shows render progress: one updating line on a terminal, occasional plain lines otherwise. */
export interface ProgressDisplay {
  update(progress: RenderProgress): void;
  /** Prints a line above the progress line (terminal) or between progress lines. */
  note(line: string): void;
  /** Ends the progress line so later output starts on a fresh line. */
  close(): void;
}

const BAR_WIDTH = 24;
const CLEAR_LINE = '\r\x1b[2K';

/** Stages that count frames; the others report 0 or 1 of 1. */
const FRAME_STAGES: ReadonlySet<string> = new Set(['motion', 'render', 'encode']);

/** Frames, rate and the ETA of the whole render, with the current stage's own ETA in brackets. */
function describe(p: RenderProgress, renderEta: number | null): string {
  if (!FRAME_STAGES.has(p.stage)) return '';
  const parts: string[] = [];
  if (p.total > 0) parts.push(`${p.done}/${p.total} frames`);
  if (p.framesPerSecond > 0) parts.push(`${p.framesPerSecond.toFixed(1)} fps`);
  if (renderEta !== null) {
    parts.push(`ETA ${formatClock(renderEta)}${p.etaSeconds === null ? '' : ` (${p.stage} ${formatClock(p.etaSeconds)})`}`);
  } else if (p.etaSeconds !== null) parts.push(`${p.stage} ETA ${formatClock(p.etaSeconds)}`);
  return parts.join('  ');
}

function bar(p: RenderProgress): string {
  const fraction = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

export function createProgressDisplay(stream: OutputStream, options: ProgressDisplayOptions = {}): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const interval = tty ? (options.redrawMs ?? 100) : (options.lineMs ?? 5000);
  let lastStage: string | null = null;
  let lastDrawn = Number.NEGATIVE_INFINITY;
  let lineOpen = false;
  let latest: RenderProgress | null = null;
  const eta = createRenderEta(now);
  let renderEta: number | null = null;

  function draw(p: RenderProgress): void {
    if (tty) {
      const text = `${p.stage.padEnd(6)} ${bar(p)}  ${describe(p, renderEta)}`.trimEnd();
      const width = (stream.columns ?? 80) - 1;
      stream.write(`${CLEAR_LINE}${text.length > width ? text.slice(0, width) : text}`);
      lineOpen = true;
    } else {
      const percent = FRAME_STAGES.has(p.stage) && p.total > 0 ? ` (${Math.floor((100 * p.done) / p.total)}%)` : '';
      const rest = describe(p, renderEta);
      stream.write(`${p.stage}${percent}${rest === '' ? '' : `: ${rest}`}\n`);
    }
  }

  return {
    update(p) {
      latest = p;
      renderEta = eta.update(p);
      const t = now();
      const stageChanged = p.stage !== lastStage;
      const finished = p.total > 0 && p.done >= p.total;
      if (stageChanged || t - lastDrawn >= interval || (tty && finished)) {
        draw(p);
        lastStage = p.stage;
        lastDrawn = t;
      }
    },
    note(line) {
      if (tty && lineOpen) {
        stream.write(`${CLEAR_LINE}${line}\n`);
        if (latest !== null) draw(latest);
      } else {
        stream.write(`${line}\n`);
      }
    },
    close() {
      if (tty && lineOpen) stream.write('\n');
      lineOpen = false;
    },
  };
}
