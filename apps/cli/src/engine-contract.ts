// The part of @portrait-farm/engine's public interface the CLI calls. The engine package is loaded at run time
// (see load-engine.ts) so that `--help` and argument checks work without it.

export type Emotion = 'neutral' | 'happy' | 'sad' | 'angry' | 'surprised';
export type Solver = 'ddim' | 'dpmpp-2m';
export type Provider = 'cuda' | 'webgpu' | 'cpu';
export type RenderStage = 'decode' | 'face' | 'audio' | 'motion' | 'render' | 'encode' | 'done';

export interface RenderControls {
  gaze?: { x: number; y: number } | 'camera';
  headDistance?: number;
  emotion?: Emotion;
  emotionIntensity?: number;
  motionIntensity?: number;
  blinkRate?: number;
}

export interface RenderClipOptions {
  image: string;
  audio: string;
  out: string;
  pack?: string;
  fps?: number;
  mode?: 'full' | 'crop';
  seed?: number;
  steps?: number;
  solver?: Solver;
  guidance?: number;
  controls?: RenderControls;
  faceIndex?: number;
  faceBox?: { x: number; y: number; width: number; height: number };
  providers?: Provider[];
  renderThreads?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface RenderProgress {
  stage: RenderStage;
  done: number;
  total: number;
  framesPerSecond: number;
  etaSeconds: number | null;
}

export interface RenderResult {
  out: string;
  frames: number;
  fps: number;
  width: number;
  height: number;
  durationSeconds: number;
  provider: string;
  timings: Record<string, number>;
}

export type RenderClip = (options: RenderClipOptions, onProgress?: (p: RenderProgress) => void) => Promise<RenderResult>;
