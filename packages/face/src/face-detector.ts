import type { ModelSession } from '@portrait-farm/model-runtime';
import { applyAffine, composeAffine, type Affine } from './affine.ts';
import { generateAnchors, type Anchor, type AnchorLayout } from './anchors.ts';
import type { ImagePyramid } from './image-pyramid.ts';

/** An axis-aligned box in image pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One detected face in image pixels. Keypoints, in the detector's order: subject's right eye (image left),
 * left eye, nose tip, mouth centre, right ear tragion, left ear tragion.
 */
export interface Detection {
  box: Box;
  score: number;
  keypoints: Array<[number, number]>;
}

/** Options that tune the detector's decoding. */
export interface DetectorSettings {
  /** Lowest face probability kept. */
  minScore: number;
  /** IoU above which overlapping boxes merge into one face. */
  overlap: number;
}

const KEYPOINTS = 6;
const VALUES_PER_ANCHOR = 4 + KEYPOINTS * 2;

/** A BlazeFace model with its anchor layout: finds faces in a whole image. */
export class FaceDetector {
  private readonly anchors: Anchor[];

  constructor(
    private readonly session: ModelSession,
    private readonly layout: AnchorLayout,
  ) {
    this.anchors = generateAnchors(layout);
  }

  /**
   * Faces in `image`, largest first. The detector sees the whole image letterboxed into its square input,
   * turned by `quarterTurns` x 90 degrees (faces far from upright are found on the turn that makes them upright).
   */
  async detect(pyramid: ImagePyramid, settings: DetectorSettings, quarterTurns = 0): Promise<Detection[]> {
    const n = this.layout.inputSize;
    const { image } = pyramid;
    const side = Math.max(image.width, image.height);
    const letterbox: Affine = [side / n, 0, (image.width - side) / 2, 0, side / n, (image.height - side) / 2];
    const cos = Math.round(Math.cos((quarterTurns * Math.PI) / 2));
    const sin = Math.round(Math.sin((quarterTurns * Math.PI) / 2));
    const h = n / 2;
    const turn: Affine = [cos, -sin, h - cos * h + sin * h, sin, cos, h - sin * h - cos * h];
    const toImage = composeAffine(letterbox, turn);
    const input = await pyramid.sample({ size: n, toImage, range: [-1, 1], border: 'black' });
    const inputName = this.session.inputs[0]?.name ?? 'input';
    const outputs = await this.session.run({ [inputName]: { data: input, dims: [1, n, n, 3] } });
    const [regressorsName, scoresName] = this.session.outputs.map((o) => o.name);
    const regressors = outputs[regressorsName ?? '']?.data;
    const scores = outputs[scoresName ?? '']?.data;
    if (!(regressors instanceof Float32Array) || !(scores instanceof Float32Array)) {
      throw new Error(`${this.session.path}: expected two float32 outputs`);
    }
    const candidates = this.decode(regressors, scores, settings.minScore, toImage);
    return weightedNms(candidates, settings.overlap).sort((p, q) => area(q.box) - area(p.box));
  }

  private decode(raw: Float32Array, logits: Float32Array, minScore: number, toImage: Affine): Detection[] {
    const n = this.layout.inputSize;
    const found: Detection[] = [];
    this.anchors.forEach((anchor, i) => {
      const logit = Math.max(-100, Math.min(100, logits[i] ?? -100));
      const score = 1 / (1 + Math.exp(-logit));
      if (score < minScore) return;
      const o = i * VALUES_PER_ANCHOR;
      const value = (k: number): number => raw[o + k] ?? 0;
      // Regressor units are input pixels relative to the anchor centre.
      const [cx, cy] = applyAffine(toImage, anchor.x * n + value(0), anchor.y * n + value(1));
      // Turned by a multiple of 90 degrees, the box stays axis-aligned; width and height may swap.
      const width = Math.abs(toImage[0] * value(2)) + Math.abs(toImage[1] * value(3));
      const height = Math.abs(toImage[3] * value(2)) + Math.abs(toImage[4] * value(3));
      const keypoints: Array<[number, number]> = [];
      for (let k = 0; k < KEYPOINTS; k++) {
        keypoints.push(applyAffine(toImage, anchor.x * n + value(4 + 2 * k), anchor.y * n + value(5 + 2 * k)));
      }
      found.push({ box: { x: cx - width / 2, y: cy - height / 2, width, height }, score, keypoints });
    });
    return found;
  }
}

function area(box: Box): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

export function intersectionOverUnion(p: Box, q: Box): number {
  const w = Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x);
  const h = Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (area(p) + area(q) - inter);
}

/** Plain non-maximum suppression: of overlapping boxes only the highest scoring one stays. */
export function hardNms(detections: Detection[], overlap: number): Detection[] {
  const kept: Detection[] = [];
  for (const d of [...detections].sort((p, q) => q.score - p.score)) {
    if (kept.every((k) => intersectionOverUnion(k.box, d.box) <= overlap)) kept.push(d);
  }
  return kept;
}

/** Weighted non-maximum suppression: each cluster of overlapping boxes becomes their score-weighted mean. */
export function weightedNms(detections: Detection[], overlap: number): Detection[] {
  let remaining = [...detections].sort((p, q) => q.score - p.score);
  const kept: Detection[] = [];
  while (remaining.length > 0) {
    const top = remaining[0];
    if (top === undefined) break;
    const cluster = remaining.filter((d) => intersectionOverUnion(top.box, d.box) > overlap);
    remaining = remaining.filter((d) => intersectionOverUnion(top.box, d.box) <= overlap && d !== top);
    if (cluster.length === 0) cluster.push(top);
    const total = cluster.reduce((s, d) => s + d.score, 0);
    const mean = (pick: (d: Detection) => number): number => cluster.reduce((s, d) => s + pick(d) * d.score, 0) / total;
    kept.push({
      box: { x: mean((d) => d.box.x), y: mean((d) => d.box.y), width: mean((d) => d.box.width), height: mean((d) => d.box.height) },
      score: top.score,
      keypoints: top.keypoints.map((_, k) => [mean((d) => d.keypoints[k]?.[0] ?? 0), mean((d) => d.keypoints[k]?.[1] ?? 0)]),
    });
  }
  return kept;
}
