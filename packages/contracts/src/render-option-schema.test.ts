import { describe, expect, it } from 'vitest';
import { JobOptionsSchema, RENDER_OPTION_RANGES, RenderControlsSchema, resolveJobOptions } from './render-option-schema.ts';
import { describeSchema, findViolation, violationMessage } from './schema-check.ts';

const message = (value: unknown): string | null => {
  const violation = findViolation(JobOptionsSchema, value);
  return violation === null ? null : violationMessage(violation, (path) => ['options', ...path].join('.'));
};

describe('the render option model', () => {
  it('accepts every option within its range, and an empty object', () => {
    expect(message({})).toBeNull();
    expect(message({
      fps: 60, mode: 'crop', seed: 2 ** 32 - 1, steps: 100, solver: 'ddim', guidance: 20, faceBox: { x: 0, y: 0, width: 8, height: 8 },
      controls: { gaze: { x: -1, y: 1 }, headDistance: -0.5, emotion: 'sad', emotionIntensity: 0, motionIntensity: 2, blinkRate: 60 },
    })).toBeNull();
    expect(message({ controls: { gaze: 'camera' }, faceIndex: 63 })).toBeNull();
  });

  it.each([
    [{ fps: 11 }, 'options.fps must be an integer between 12 and 60. Received: 11'],
    [{ fps: 24.5 }, 'options.fps must be an integer between 12 and 60. Received: 24.5'],
    [{ fps: '25' }, 'options.fps must be an integer between 12 and 60. Received: "25"'],
    [{ mode: 'wide' }, 'options.mode must be one of full, crop. Received: "wide"'],
    [{ guidance: 20.5 }, 'options.guidance must be a number between 0 and 20. Received: 20.5'],
    [{ controls: { headDistance: 1 } }, 'options.controls.headDistance must be a number between -0.5 and 0.5. Received: 1'],
    [{ controls: { gaze: { x: 0 } } }, 'options.controls.gaze must be "camera" or {x, y}, each a number between -1 and 1. Received: {"x":0}'],
    [{ controls: { emotionIntensity: 2 } }, 'options.controls.emotionIntensity must be a number between 0 and 1. Received: 2'],
    [{ controls: { emotionIntensity: 0.5 } }, 'options.controls.emotion: emotionIntensity scales an emotion: give the emotion too.'],
    [{ faceIndex: 0, faceBox: { x: 0, y: 0, width: 9, height: 9 } }, 'faceIndex and faceBox choose the face in two ways: pass one.'],
    [{ faceBox: { x: 0, y: 0, width: 9 } }, 'options.faceBox.height is required.'],
    [{ size: 3 }, 'options.size is not a known option; known: fps, mode, seed, steps, solver, guidance, controls, faceIndex, faceBox, label.'],
    [[], 'options must be an object {fps, mode, seed, steps, solver, guidance, controls, faceIndex, faceBox, label}. Received: []'],
  ])('refuses %j, naming the option, what it accepts and the value', (value, expected) => {
    expect(message(value)).toBe(expected);
  });

  it('builds its ranges and defaults from one table', () => {
    expect(JobOptionsSchema.properties.fps).toMatchObject({ minimum: RENDER_OPTION_RANGES.fps.min, maximum: RENDER_OPTION_RANGES.fps.max, default: RENDER_OPTION_RANGES.fps.default });
    expect(RenderControlsSchema.properties.motionIntensity).toMatchObject({ minimum: 0, maximum: 2, default: 1 });
    expect(describeSchema(JobOptionsSchema.properties.seed)).toBe('an integer between 0 and 4294967295');
  });

  it('fills fps, mode and seed once, keeping what was given', () => {
    expect(resolveJobOptions({})).toEqual({ fps: 25, mode: 'full', seed: 0 });
    expect(resolveJobOptions({ fps: 30, controls: { emotion: 'happy' } })).toEqual({ fps: 30, mode: 'full', seed: 0, controls: { emotion: 'happy' } });
  });
});
