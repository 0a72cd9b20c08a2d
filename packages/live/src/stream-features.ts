import { isAudioFeaturesError, type FeatureStream } from '@portrait-farm/audio-features';
import type { UtteranceRows } from './speech-stepper.ts';
import type { UtteranceFeatures } from './utterance.ts';

/** An utterance's rows from audio-features' live {@link FeatureStream} (one stream per utterance). */
export function streamFeatures(stream: FeatureStream): UtteranceFeatures {
  const rows: UtteranceRows = {
    get available() {
      return stream.ready;
    },
    dim: 224,
    get totalFrames() {
      return stream.total;
    },
    row: (frame) => stream.readyRows(frame, frame + 1).data,
  };
  return {
    rows,
    push: (samples) => stream.push(samples),
    end: () => stream.end(),
    async waitFor(end) {
      for (;;) {
        const total = stream.total;
        const target = total === null ? end : Math.min(end, total);
        if (target <= stream.ready) return;
        try {
          await stream.rows(target - 1, target);
          return;
        } catch (error) {
          // The utterance ended short of `end` while waiting: wait for its last row instead.
          const endedShort = isAudioFeaturesError(error, 'AUDIO_FEATURES_BAD_RANGE') && stream.total !== null && stream.total < target;
          if (!endedShort) throw error;
        }
      }
    },
    release: (frame) => stream.release(frame),
    close: () => stream.reset(),
  };
}
