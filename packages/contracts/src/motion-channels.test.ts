import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNEL, MOTION_CHANNELS, MOTION_CHANNEL_COUNT } from './motion-channels.ts';

describe('motion channels', () => {
  it('match the table of models/SPEC.md, in order', () => {
    const spec = readFileSync(new URL('../../../models/SPEC.md', import.meta.url), 'utf8');
    const rows = [...spec.matchAll(/^\| (\d+) \| (\w+) \|/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(MOTION_CHANNELS.map((name, index) => [index, name]));
    expect(MOTION_CHANNEL_COUNT).toBe(20);
    expect(CHANNEL.head_yaw).toBe(12);
  });

  it('match the Python toolkit', () => {
    const python = readFileSync(new URL('../../../models/training/portrait_train/channels.py', import.meta.url), 'utf8');
    const tuple = python.slice(python.indexOf('CHANNELS: tuple'), python.indexOf(')\n'));
    expect([...tuple.matchAll(/"(\w+)"/g)].map((m) => m[1])).toEqual([...MOTION_CHANNELS]);
  });
});
