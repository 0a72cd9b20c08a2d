import { describe, expect, it } from 'vitest';
import { JUMP_BEHIND_SECONDS, TARGET_BEHIND_SECONDS, liveEdgeAction } from './live-edge.ts';

describe('liveEdgeAction', () => {
  it('waits for data, jumps when far behind, plays faster when somewhat behind, at 1x near the target', () => {
    expect(liveEdgeAction(0, null)).toEqual({ kind: 'wait' });
    expect(liveEdgeAction(0, JUMP_BEHIND_SECONDS + 1)).toEqual({ kind: 'jump', to: JUMP_BEHIND_SECONDS + 1 - TARGET_BEHIND_SECONDS });
    expect(liveEdgeAction(10, 10.5)).toEqual({ kind: 'rate', rate: 1.1 });
    expect(liveEdgeAction(10, 10 + TARGET_BEHIND_SECONDS * 1.5)).toEqual({ kind: 'rate', rate: 1.03 });
    expect(liveEdgeAction(10, 10 + TARGET_BEHIND_SECONDS)).toEqual({ kind: 'rate', rate: 1 });
  });
});
