import { framesOf, phoneClass, type TimedPhone } from './phones.ts';

/** Landmarks of one frame: 478 x 3 values (x, y, z), MediaPipe's indices. */
export type FrameLandmarks = Float32Array;

const UPPER_INNER_LIP = 13;
const LOWER_INNER_LIP = 14;
const MOUTH_LEFT = 61;
const MOUTH_RIGHT = 291;
/** Points that do not move with the mouth, eyes or brows: eye corners, nose bridge and tip, nose wings, temples. */
export const RIGID_POINTS = Object.freeze([33, 133, 362, 263, 168, 6, 1, 98, 327, 127, 356]);

function point(landmarks: FrameLandmarks, i: number): [number, number] {
  return [landmarks[i * 3]!, landmarks[i * 3 + 1]!];
}

function distance(landmarks: FrameLandmarks, a: number, b: number): number {
  const [ax, ay] = point(landmarks, a);
  const [bx, by] = point(landmarks, b);
  return Math.hypot(ax - bx, ay - by);
}

/** Gap between the inner lips as a fraction of the mouth width: 0 when the lips touch. */
export function mouthOpening(landmarks: FrameLandmarks): number {
  return distance(landmarks, UPPER_INNER_LIP, LOWER_INNER_LIP) / Math.max(1e-6, distance(landmarks, MOUTH_LEFT, MOUTH_RIGHT));
}

export interface MouthThresholds {
  /** Opening below which the lips count as closed. */
  closed: number;
  /** Opening above which the mouth counts as open. */
  open: number;
}

export const DEFAULT_THRESHOLDS: MouthThresholds = Object.freeze({ closed: 0.08, open: 0.2 });

export interface PhoneScores {
  bilabials: number;
  bilabialsClosed: number;
  openVowels: number;
  openVowelsOpened: number;
  silentFrames: number;
  silentFramesClosed: number;
}

/** Open vowels shorter than this are reduced (a 20-40 ms schwa between consonants) and are not scored, as in the
 * training toolkit's motion-level measure (portrait_train/metrics.py): real talkers do not open wide on them either. */
export const MIN_OPEN_VOWEL_SECONDS = 0.06;

/**
 * Scores the opening curve against the phones: a p/b/m counts as closed when the opening falls below `closed` in
 * some frame within one frame of it; an open vowel of at least {@link MIN_OPEN_VOWEL_SECONDS} counts as opened when
 * it exceeds `open` within one frame of it; silences longer than 200 ms count frame by frame, 80 ms in from each edge.
 */
export function scorePhones(opening: readonly number[], phones: readonly TimedPhone[], fps: number, thresholds: MouthThresholds = DEFAULT_THRESHOLDS): PhoneScores {
  const scores: PhoneScores = { bilabials: 0, bilabialsClosed: 0, openVowels: 0, openVowelsOpened: 0, silentFrames: 0, silentFramesClosed: 0 };
  const n = opening.length;
  for (const phone of phones) {
    const kind = phoneClass(phone.phone);
    if (kind === 'bilabial') {
      const values = framesOf(phone, fps, n, 1).map((f) => opening[f]!);
      if (values.length === 0) continue;
      scores.bilabials++;
      if (Math.min(...values) < thresholds.closed) scores.bilabialsClosed++;
    } else if (kind === 'open-vowel' && phone.end - phone.start >= MIN_OPEN_VOWEL_SECONDS - 1e-9) {
      const values = framesOf(phone, fps, n, 1).map((f) => opening[f]!);
      if (values.length === 0) continue;
      scores.openVowels++;
      if (Math.max(...values) > thresholds.open) scores.openVowelsOpened++;
    } else if (kind === 'silence' && phone.end - phone.start > 0.2) {
      for (const f of framesOf({ start: phone.start + 0.08, end: phone.end - 0.08 }, fps, n)) {
        scores.silentFrames++;
        if (opening[f]! < thresholds.closed) scores.silentFramesClosed++;
      }
    }
  }
  return scores;
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The lag (frames, within ±maxLag) at which `b` shifted best matches `a`; positive = `b` comes later. */
export function bestLag(a: readonly number[], b: readonly number[], maxLag: number): number {
  let best = 0;
  let bestR = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < a.length; i++) {
      const j = i + lag;
      if (j >= 0 && j < b.length) {
        x.push(a[i]!);
        y.push(b[j]!);
      }
    }
    const r = pearson(x, y);
    if (r > bestR) {
      bestR = r;
      best = lag;
    }
  }
  return best;
}

/** Root-mean-square distance of the rigid points after the best similarity alignment, in eye distances. */
export function rigidShapeDrift(reference: FrameLandmarks, frame: FrameLandmarks): number {
  const ref = RIGID_POINTS.map((i) => point(reference, i));
  const cur = RIGID_POINTS.map((i) => point(frame, i));
  const mean = (ps: Array<[number, number]>): [number, number] => [ps.reduce((s, p) => s + p[0], 0) / ps.length, ps.reduce((s, p) => s + p[1], 0) / ps.length];
  const [rx, ry] = mean(ref);
  const [cx, cy] = mean(cur);
  let a = 0;
  let b = 0;
  let norm = 0;
  for (let i = 0; i < ref.length; i++) {
    const [px, py] = [cur[i]![0] - cx, cur[i]![1] - cy];
    const [qx, qy] = [ref[i]![0] - rx, ref[i]![1] - ry];
    a += px * qx + py * qy;
    b += px * qy - py * qx;
    norm += px * px + py * py;
  }
  const sa = a / Math.max(1e-9, norm);
  const sb = b / Math.max(1e-9, norm);
  let sum = 0;
  for (let i = 0; i < ref.length; i++) {
    const [px, py] = [cur[i]![0] - cx, cur[i]![1] - cy];
    const x = sa * px - sb * py + rx;
    const y = sb * px + sa * py + ry;
    sum += (x - ref[i]![0]) ** 2 + (y - ref[i]![1]) ** 2;
  }
  const eyes = distance(reference, 33, 263);
  return Math.sqrt(sum / ref.length) / Math.max(1e-6, eyes);
}

/** Mean size of the second difference of the rigid points (frame-to-frame shake), in eye distances. */
export function rigidJitter(frames: readonly FrameLandmarks[]): number {
  if (frames.length < 3) return 0;
  let sum = 0;
  let count = 0;
  for (let f = 1; f < frames.length - 1; f++) {
    const eyes = distance(frames[f]!, 33, 263);
    for (const i of RIGID_POINTS) {
      const [ax, ay] = point(frames[f - 1]!, i);
      const [bx, by] = point(frames[f]!, i);
      const [cx, cy] = point(frames[f + 1]!, i);
      sum += Math.hypot(ax - 2 * bx + cx, ay - 2 * by + cy) / Math.max(1e-6, eyes);
      count++;
    }
  }
  return sum / count;
}

/** Mean |opening change| across segment boundaries divided by the mean elsewhere (1 = no seam). */
export function seamRatio(opening: readonly number[], boundaries: readonly number[]): number {
  const at = new Set(boundaries.filter((b) => b > 0 && b < opening.length));
  let seam = 0;
  let seams = 0;
  let other = 0;
  let others = 0;
  for (let f = 1; f < opening.length; f++) {
    const step = Math.abs(opening[f]! - opening[f - 1]!);
    if (at.has(f)) {
      seam += step;
      seams++;
    } else {
      other += step;
      others++;
    }
  }
  return seams === 0 || others === 0 || other === 0 ? 1 : seam / seams / (other / others);
}
