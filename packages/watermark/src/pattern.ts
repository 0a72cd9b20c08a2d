import { CODED_BITS } from './codeword.ts';
import { keyedRandom } from './prng.ts';

/** Side of one chip (a constant-sign square of the pattern), in pixels of the embedded frame. */
export const CHIP_PX = 4;
/** Chips per tile side. */
export const TILE_CHIPS = 32;
/** Tile side in pixels; the pattern repeats with this period over the whole frame. */
export const TILE_PX = CHIP_PX * TILE_CHIPS;
export const CHIPS = TILE_CHIPS * TILE_CHIPS;
/** Chips that carry the known synchronisation signs (the rest carry the coded payload). */
export const SYNC_CHIPS = CHIPS / 2;

/**
 * The keyed layout of one tile: which chips are synchronisation chips and their signs, and for the others which
 * coded bit they carry and their spreading sign.
 */
export interface TileLayout {
  /** Per chip (row-major, TILE_CHIPS x TILE_CHIPS): -1 for a payload chip, else 0 (sync). */
  bitOf: Int16Array;
  /** Per chip: the sync sign, or the spreading sign of a payload chip (+1 / -1). */
  sign: Int8Array;
  /** Sync chip indices. */
  syncChips: Int32Array;
}

const layouts = new Map<string, TileLayout>();

export function tileLayout(key: string | Uint8Array): TileLayout {
  const id = typeof key === 'string' ? `s:${key}` : `b:${Buffer.from(key).toString('hex')}`;
  const cached = layouts.get(id);
  if (cached !== undefined) return cached;
  const random = keyedRandom(key, 'tile-layout');
  const order = Array.from({ length: CHIPS }, (_, i) => i);
  for (let i = CHIPS - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const bitOf = new Int16Array(CHIPS).fill(-1);
  const sign = new Int8Array(CHIPS);
  const syncChips = new Int32Array(SYNC_CHIPS);
  order.forEach((chip, rank) => {
    sign[chip] = random() < 0.5 ? -1 : 1;
    if (rank < SYNC_CHIPS) syncChips[rank] = chip;
    else bitOf[chip] = (rank - SYNC_CHIPS) % CODED_BITS;
  });
  for (const chip of syncChips) bitOf[chip] = -1 - 1; // -2: sync
  const layout: TileLayout = { bitOf, sign, syncChips };
  if (layouts.size > 64) layouts.clear();
  layouts.set(id, layout);
  return layout;
}

/** True for a sync chip of the layout. */
export function isSync(layout: TileLayout, chip: number): boolean {
  return layout.bitOf[chip] === -2;
}

/** The tile's chip signs for a codeword (+1/-1 per chip). */
export function chipSigns(layout: TileLayout, codeword: readonly number[]): Int8Array {
  const out = new Int8Array(CHIPS);
  for (let chip = 0; chip < CHIPS; chip += 1) {
    const bit = layout.bitOf[chip] ?? -2;
    const s = layout.sign[chip] ?? 1;
    out[chip] = bit < 0 ? s : (codeword[bit] === 1 ? s : -s);
  }
  return out;
}

/** The synchronisation template at pixel resolution (TILE_PX^2): sync sign on sync chips, 0 elsewhere. */
export function syncTemplate(layout: TileLayout): Float64Array {
  const out = new Float64Array(TILE_PX * TILE_PX);
  for (const chip of layout.syncChips) {
    const cy = Math.floor(chip / TILE_CHIPS);
    const cx = chip % TILE_CHIPS;
    const s = layout.sign[chip] ?? 1;
    for (let v = 0; v < CHIP_PX; v += 1) {
      for (let u = 0; u < CHIP_PX; u += 1) out[(cy * CHIP_PX + v) * TILE_PX + cx * CHIP_PX + u] = s;
    }
  }
  return out;
}
