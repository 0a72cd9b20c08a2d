import { JobOptionsSchema, RenderControlsSchema, RenderProcessOptionsSchema } from '@portrait-farm/contracts';
import { describe, expect, it } from 'vitest';
import { OPTION_FLAGS, flagName, flagValue, helpLine, valueSyntax } from './option-flags.ts';
import { RENDER_USAGE } from './render-args.ts';

describe('option flags derived from the option model', () => {
  it('give every option of the schemas a flag (controls flattened), and the usage text a line for each', () => {
    const names = [
      ...Object.keys(JobOptionsSchema.properties).filter((name) => name !== 'controls'),
      ...Object.keys(RenderControlsSchema.properties),
      ...Object.keys(RenderProcessOptionsSchema.properties),
    ];
    expect(OPTION_FLAGS.map((o) => o.path.at(-1)).sort()).toEqual(names.sort());
    for (const option of OPTION_FLAGS) expect(RENDER_USAGE).toContain(`--${option.flag} ${valueSyntax(option.schema)}`);
  });

  it('write each value as its schema reads it', () => {
    const flag = (name: string) => OPTION_FLAGS.find((o) => o.flag === name)!;
    expect(flag('head-distance').path).toEqual(['controls', 'headDistance']);
    expect(flagValue(flag('gaze').schema, 'camera')).toBe('camera');
    expect(flagValue(flag('gaze').schema, '-0.5,1')).toEqual({ x: -0.5, y: 1 });
    expect(flagValue(flag('face-box').schema, '1,2,30,40')).toEqual({ x: 1, y: 2, width: 30, height: 40 });
    expect(flagValue(flag('providers').schema, 'webgpu, cpu')).toEqual(['webgpu', 'cpu']);
    expect(flagValue(flag('fps').schema, '30')).toBe(30);
    expect(flagValue(flag('fps').schema, 'thirty')).toBe('thirty');
    expect(flagName(['faceBox', 'width'])).toBe('--face-box width');
    expect(flagName(['controls', 'blinkRate'])).toBe('--blink-rate');
  });

  it('state meaning, range and default in the help, wrapped', () => {
    const line = (name: string): string => helpLine(OPTION_FLAGS.find((o) => o.flag === name)!);
    expect(line('fps')).toBe('  --fps N                   Output frames per second; 12 to 60 (default: 25)');
    expect(line('steps')).toContain("1 to 100 (default: the model pack's)");
    expect(line('gaze').replace(/\s+/g, ' ')).toContain('+ = image right and down');
    expect(line('face-index')).toContain('unless --face-box is given');
    expect(line('blink-rate').split('\n').every((l) => l.length <= 100)).toBe(true);
  });
});
