/** A phone with its time span in seconds (ARPAbet-like labels; 'sil', 'pau' or 'sp' for silence). */
export interface TimedPhone {
  phone: string;
  start: number;
  end: number;
}

export const BILABIALS: ReadonlySet<string> = new Set(['p', 'b', 'm']);
export const OPEN_VOWELS: ReadonlySet<string> = new Set(['aa', 'ae', 'ah', 'ao', 'aw', 'ay']);
export const SILENCES: ReadonlySet<string> = new Set(['sil', 'pau', 'sp', 'h#', '']);

export function phoneClass(phone: string): 'bilabial' | 'open-vowel' | 'silence' | 'other' {
  const p = phone.toLowerCase().replace(/[0-9]/g, '');
  if (BILABIALS.has(p)) return 'bilabial';
  if (OPEN_VOWELS.has(p)) return 'open-vowel';
  if (SILENCES.has(p)) return 'silence';
  return 'other';
}

/** Video frames whose centre lies in [start, end), widened by `slack` frames on each side and kept in range. */
export function framesOf(span: { start: number; end: number }, fps: number, frameCount: number, slack = 0): number[] {
  const first = Math.max(0, Math.ceil(span.start * fps - 0.5) - slack);
  const last = Math.min(frameCount - 1, Math.ceil(span.end * fps - 0.5) - 1 + slack);
  const frames: number[] = [];
  for (let f = first; f <= last; f++) frames.push(f);
  return frames;
}
