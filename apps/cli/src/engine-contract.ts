// The engine types the CLI uses. Type-only imports: the engine itself is loaded on first use (load-engine.ts),
// so `--help` and argument checks start fast.
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import type { OutputMode, PortraitInfo, RenderClipOptions, RenderProgress, RenderResult } from '@portrait-farm/engine';

export type { Emotion, RenderClipOptions, RenderControls, RenderProgress, RenderResult, RenderStage } from '@portrait-farm/engine';
export type Solver = NonNullable<RenderClipOptions['solver']>;
export type Provider = ExecutionProvider;
export type RenderClip = (options: RenderClipOptions, onProgress?: (p: RenderProgress) => void) => Promise<RenderResult>;
/** Decodes the portrait without loading models: its size, and the size it renders at when smaller. */
export type InspectPortrait = (image: string, mode?: OutputMode) => Promise<PortraitInfo>;
/** The engine's WARNING_PREFIX: log lines that start with it are shown without --verbose (checked by a test). */
export const ENGINE_WARNING_PREFIX = 'warning: ';
