import { RENDER_OPTION_RANGES } from '@portrait-farm/contracts';
import { JOB_EVENT_TYPES } from '@portrait-farm/jobs';
import type { JobControls, JobEventType, JobOptions, JobWebhook } from '@portrait-farm/jobs';
import { GatewayError } from './errors.ts';

/** The parts of a create request that define the job besides its inputs. */
export interface JobRequestFields {
  options: JobOptions;
  webhook: JobWebhook | null;
  priority: number;
}

/** The render ranges shared with the engine and the CLI, plus the API's own. */
export const OPTION_RANGES = Object.freeze({
  ...RENDER_OPTION_RANGES,
  faceBoxSide: { min: 8 },
  priority: { min: 1, max: 10, default: 5 },
});

const DEFAULT_EVENTS: JobEventType[] = ['job.succeeded', 'job.failed', 'job.canceled'];

function bad(message: string): GatewayError {
  return new GatewayError('GATEWAY_BAD_OPTION', message);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKnown(path: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw bad(`${path}.${key} is not a known option; known: ${known.join(', ')}.`);
  }
}

function integerIn(path: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${path} must be an integer between ${min} and ${max}. Received: ${show(value)}`);
  }
  return value;
}

function numberIn(path: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw bad(`${path} must be a number between ${min} and ${max}. Received: ${show(value)}`);
  }
  return value;
}

function oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(`${path} must be one of ${allowed.join(', ')}. Received: ${show(value)}`);
  }
  return value as T;
}

function parseControls(value: unknown): JobControls {
  if (!isObject(value)) throw bad(`options.controls must be an object. Received: ${show(value)}`);
  onlyKnown('options.controls', value, ['gaze', 'headDistance', 'emotion', 'emotionIntensity', 'motionIntensity', 'blinkRate']);
  const r = OPTION_RANGES;
  const controls: JobControls = {};
  if (value['gaze'] !== undefined) {
    const gaze = value['gaze'];
    if (gaze === 'camera') controls.gaze = 'camera';
    else if (isObject(gaze)) {
      onlyKnown('options.controls.gaze', gaze, ['x', 'y']);
      controls.gaze = { x: numberIn('options.controls.gaze.x', gaze['x'], r.gaze.min, r.gaze.max), y: numberIn('options.controls.gaze.y', gaze['y'], r.gaze.min, r.gaze.max) };
    } else throw bad(`options.controls.gaze must be "camera" or {x, y} with x and y between -1 and 1. Received: ${show(gaze)}`);
  }
  if (value['headDistance'] !== undefined) controls.headDistance = numberIn('options.controls.headDistance', value['headDistance'], r.headDistance.min, r.headDistance.max);
  if (value['emotion'] !== undefined) controls.emotion = oneOf('options.controls.emotion', value['emotion'], ['neutral', 'happy', 'sad', 'angry', 'surprised'] as const);
  if (value['emotionIntensity'] !== undefined) controls.emotionIntensity = numberIn('options.controls.emotionIntensity', value['emotionIntensity'], r.emotionIntensity.min, r.emotionIntensity.max);
  if (value['motionIntensity'] !== undefined) controls.motionIntensity = numberIn('options.controls.motionIntensity', value['motionIntensity'], r.motionIntensity.min, r.motionIntensity.max);
  if (value['blinkRate'] !== undefined) controls.blinkRate = numberIn('options.controls.blinkRate', value['blinkRate'], r.blinkRate.min, r.blinkRate.max);
  return controls;
}

/** Checks render options (engine ranges) and fills fps, mode and seed with their defaults. */
export function parseJobOptions(value: unknown): JobOptions {
  if (value === undefined || value === null) value = {};
  if (!isObject(value)) throw bad(`options must be a JSON object. Received: ${show(value)}`);
  onlyKnown('options', value, ['fps', 'mode', 'seed', 'steps', 'solver', 'guidance', 'controls', 'faceIndex', 'faceBox']);
  const r = OPTION_RANGES;
  const options: JobOptions = {
    fps: integerIn('options.fps', value['fps'] ?? r.fps.default, r.fps.min, r.fps.max),
    mode: oneOf('options.mode', value['mode'] ?? 'full', ['full', 'crop'] as const),
    seed: integerIn('options.seed', value['seed'] ?? r.seed.default, r.seed.min, r.seed.max),
  };
  if (value['steps'] !== undefined) options.steps = integerIn('options.steps', value['steps'], r.steps.min, r.steps.max);
  if (value['solver'] !== undefined) options.solver = oneOf('options.solver', value['solver'], ['ddim', 'dpmpp-2m'] as const);
  if (value['guidance'] !== undefined) options.guidance = numberIn('options.guidance', value['guidance'], r.guidance.min, r.guidance.max);
  if (value['controls'] !== undefined) options.controls = parseControls(value['controls']);
  if (value['faceIndex'] !== undefined && value['faceBox'] !== undefined) {
    throw bad('options.faceIndex and options.faceBox choose the face in two ways; pass one. Received: both');
  }
  if (value['faceIndex'] !== undefined) options.faceIndex = integerIn('options.faceIndex', value['faceIndex'], r.faceIndex.min, r.faceIndex.max);
  if (value['faceBox'] !== undefined) {
    const box = value['faceBox'];
    if (!isObject(box)) throw bad(`options.faceBox must be {x, y, width, height} in image pixels. Received: ${show(box)}`);
    onlyKnown('options.faceBox', box, ['x', 'y', 'width', 'height']);
    options.faceBox = {
      x: integerIn('options.faceBox.x', box['x'], 0, 100_000),
      y: integerIn('options.faceBox.y', box['y'], 0, 100_000),
      width: integerIn('options.faceBox.width', box['width'], r.faceBoxSide.min, 100_000),
      height: integerIn('options.faceBox.height', box['height'], r.faceBoxSide.min, 100_000),
    };
  }
  return options;
}

export function parseWebhook(value: unknown, allowHttp: boolean): JobWebhook | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw bad(`webhook must be an object {url, events}. Received: ${show(value)}`);
  onlyKnown('webhook', value, ['url', 'events']);
  const url = value['url'];
  let parsed: URL | null = null;
  try {
    parsed = typeof url === 'string' ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:'];
  if (parsed === null || !schemes.includes(parsed.protocol) || parsed.username !== '' || parsed.password !== '') {
    throw bad(`webhook.url must be an ${allowHttp ? 'http(s)' : 'https'} URL without credentials. Received: ${show(url)}`);
  }
  const events = value['events'] ?? DEFAULT_EVENTS;
  if (!Array.isArray(events) || events.length === 0) {
    throw bad(`webhook.events must be a non-empty array of ${JOB_EVENT_TYPES.join(', ')}. Received: ${show(events)}`);
  }
  const checked = events.map((event, i) => oneOf(`webhook.events[${i}]`, event, JOB_EVENT_TYPES));
  return { url: parsed.href, events: [...new Set(checked)] };
}

export function parsePriority(value: unknown): number {
  const r = OPTION_RANGES.priority;
  if (value === undefined || value === null) return r.default;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return integerIn('priority', number, r.min, r.max);
}

/** Parses a JSON text field of a multipart request (options, webhook). */
export function parseJsonField(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError('GATEWAY_BAD_REQUEST', `The multipart field "${name}" must be JSON. Received: ${show(text)}`);
  }
}

export function parseJobRequestFields(body: { options?: unknown; webhook?: unknown; priority?: unknown }, allowHttp: boolean): JobRequestFields {
  return { options: parseJobOptions(body.options), webhook: parseWebhook(body.webhook, allowHttp), priority: parsePriority(body.priority) };
}
