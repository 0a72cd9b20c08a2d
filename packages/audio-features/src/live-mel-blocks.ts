import type { ModelSession } from '@portrait-farm/model-runtime';
import { MEL_BINS, MEL_BLOCK, MEL_BLOCK_SAMPLES, melBlocksFor } from './front-end-layout.ts';
import type { MelLookup } from './feature-rows.ts';
import { blockFirstSample, computeMelBlocksAlone, type MelBlockRequest } from './mel-blocks.ts';
import type { SampleStretch } from './sample-stretch.ts';

/** A row to be computed from the audio before `cut` (a clip index; samples at or past it read as silence). */
export interface CutRow {
  frame: number;
  cut: number;
}

/** The mel frames one row reads, and the largest cell of the blocks that hold them. */
export interface RowMel {
  mel: MelLookup;
  peak: number;
}

interface Block {
  data: Float32Array;
  peak: number;
}

function blockOf(data: Float32Array): Block {
  let peak = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! > peak) peak = data[i]!;
  return { data, peak };
}

/**
 * Mel blocks of audio that is still arriving, for rows that each see the audio only up to their own cut, each block
 * computed alone so that its values never depend on which blocks were computed with it. A block
 * that ends before a row's cut is the same for every later row and is kept until `dropBefore`; a block that starts at
 * or past it is all silence (one block, computed once); a block the cut falls in is computed for that cut alone.
 */
export class LiveMelBlocks {
  private readonly whole = new Map<number, Block>();
  private silent: Block | null = null;

  constructor(private readonly session: ModelSession) {}

  /** The mel frames of each row, running the mel model once for every block not yet held. */
  async rows(audio: SampleStretch, rows: readonly CutRow[]): Promise<RowMel[]> {
    const requests: MelBlockRequest[] = [];
    const pending = new Map<string, number>();
    const keyOf = (block: number, cut: number): string => {
      const start = blockFirstSample(block);
      if (start + MEL_BLOCK_SAMPLES <= cut) return `${block}`;
      return start >= cut ? 'silent' : `${block}@${cut}`;
    };
    const need = (block: number, cut: number): void => {
      const key = keyOf(block, cut);
      if (pending.has(key) || (key === 'silent' ? this.silent !== null : this.whole.has(block) && key === `${block}`)) return;
      pending.set(key, requests.length);
      requests.push({ audio: { ...audio, clipLength: Math.min(audio.clipLength, cut) }, block });
    };
    for (const row of rows) {
      const blocks = melBlocksFor(row.frame, row.frame + 1);
      for (let k = blocks.first; k < blocks.end; k++) need(k, row.cut);
    }
    const computed = (await computeMelBlocksAlone(this.session, requests)).map(blockOf);
    const fresh = new Map<string, Block>();
    for (const [key, index] of pending) {
      const block = computed[index]!;
      fresh.set(key, block);
      if (key === 'silent') this.silent = block;
      else if (!key.includes('@')) this.whole.set(Number(key), block);
    }
    return rows.map((row) => {
      const range = melBlocksFor(row.frame, row.frame + 1);
      const held: Block[] = [];
      for (let k = range.first; k < range.end; k++) {
        const key = keyOf(k, row.cut);
        held.push(key === 'silent' ? this.silent! : fresh.get(key) ?? this.whole.get(k)!);
      }
      const first = range.first;
      return {
        mel: (j, bin) => held[Math.floor(j / MEL_BLOCK) - first]!.data[(j % MEL_BLOCK) * MEL_BINS + bin]!,
        peak: Math.max(...held.map((block) => block.peak)),
      };
    });
  }

  /** Forgets the blocks before `block` (no row still to come reads them). */
  dropBefore(block: number): void {
    for (const k of this.whole.keys()) if (k < block) this.whole.delete(k);
  }
}
