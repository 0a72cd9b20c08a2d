import { createAudioFrontEnd, type AudioFrontEnd } from '@portrait-farm/audio-features';
import type { RenderBackend } from '@portrait-farm/contracts';
import { createFaceAnalyzer, FACE_MODEL_FILES, type FaceAnalyzer, type FaceModelRole } from '@portrait-farm/face';
import { loadModelPack, openDenoiser, type ModelPack } from '@portrait-farm/model-pack';
import { createModelSession, type ExecutionProvider, type ModelSession } from '@portrait-farm/model-runtime';
import { EngineError } from './errors.ts';
import { startRenderThreads, type RenderThreads } from './render-pool.ts';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /** Model pack folder (absolute). */
  pack: string;
  /** Execution providers to try, in order. @defaultValue model-runtime's default */
  providers?: ExecutionProvider[] | null;
  /** onnxruntime intra-op threads of the denoiser (the model that runs most). @defaultValue 1 */
  denoiserIntraOpThreads?: number;
  /** Receives one line per model naming the provider that runs it. @defaultValue none */
  log?: (line: string) => void;
}

/**
 * The models of one pack, loaded once, each in its own inference thread: face analysis, the audio front-end and
 * the denoiser. A render process or a farm worker keeps one and renders many clips or segments with it.
 */
export interface Engine {
  readonly pack: ModelPack;
  readonly face: FaceAnalyzer;
  readonly audio: AudioFrontEnd;
  readonly denoiser: ModelSession;
  /**
   * The pack's motion model for realtime sessions (`live_denoiser`), opened on first use and kept; null when the
   * pack has none.
   */
  liveDenoiser(): Promise<ModelSession | null>;
  /** The execution provider of the denoiser (the model that runs most). */
  readonly provider: string;
  /** Feature row of digital silence, padding windows past the end of the audio. */
  readonly silenceFeature: Float32Array;
  /**
   * `count` render threads drawing with `backend` for the clips this engine renders ({@link renderClipWith}), started
   * on first use and kept until {@link close}: a later clip neither waits for threads to start nor for V8 to compile
   * the renderer again in them (about a quarter of a 20 s clip's render stage, docs/performance.md, "Render threads
   * kept by the engine"). Clips rendered at once share them. The `onnx-graph` backend runs on the engine's providers.
   */
  renderThreads(count: number, backend?: RenderBackend): RenderThreads;
  /** Closes the render threads and the models' sessions. */
  close(): Promise<void>;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const providers = options.providers ?? undefined;
  const log = options.log ?? ((): void => {});
  const pack = await loadModelPack(options.pack, providers ? { providers } : {});
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const face = await createFaceAnalyzer({ modelFiles: faceModelFiles(pack), ...(providers ? { providers } : {}), log });
    opened.push(face);
    const audio = await createAudioFrontEnd({ melModel: pack.audio.mel, embeddingModel: pack.audio.embedding, embeddingSequenceModel: pack.audio.embeddingSequence, ...(providers ? { providers } : {}), log });
    opened.push(audio);
    const denoiser = await createModelSession(pack.denoiser.file, {
      ...(providers ? { providers } : {}),
      ...(options.denoiserIntraOpThreads === undefined ? {} : { intraOpThreads: options.denoiserIntraOpThreads }),
      log,
    });
    opened.push(denoiser);
    const silenceFeature = await audio.silenceFeature();
    let liveDenoiser: Promise<ModelSession | null> | null = null;
    const renderThreads = new Map<string, RenderThreads>();
    let closed = false;
    const openLiveDenoiser = async (file: string): Promise<ModelSession> => {
      const session = await openDenoiser(file, 'live denoiser', pack, { ...(providers ? { providers } : {}), log });
      opened.push(session);
      return session;
    };
    return {
      pack,
      face,
      audio,
      denoiser,
      liveDenoiser(): Promise<ModelSession | null> {
        liveDenoiser ??= pack.liveDenoiser === null ? Promise.resolve(null) : openLiveDenoiser(pack.liveDenoiser.file);
        return liveDenoiser;
      },
      provider: denoiser.provider,
      silenceFeature,
      renderThreads(count: number, backend: RenderBackend = 'cpu'): RenderThreads {
        if (closed) throw new EngineError('ENGINE_RENDER_THREAD_DIED', 'The engine is closed, and its render threads with it.');
        const key = `${backend} ${count}`;
        let threads = renderThreads.get(key);
        if (threads === undefined) renderThreads.set(key, (threads = startRenderThreads(count, { backend, ...(providers ? { providers } : {}) })));
        return threads;
      },
      async close(): Promise<void> {
        closed = true;
        const threads = [...renderThreads.values()];
        renderThreads.clear();
        await Promise.all(threads.map((started) => started.close()));
        await liveDenoiser?.catch(() => null);
        await Promise.all(opened.map((item) => item.close()));
      },
    };
  } catch (error) {
    await Promise.all(opened.map((item) => item.close()));
    throw error;
  }
}

/** The pack's face block (roles detector, detectorFull, mesh, iris); roles it leaves out use models/face. */
function faceModelFiles(pack: ModelPack): Partial<Record<FaceModelRole, string>> {
  const files: Partial<Record<FaceModelRole, string>> = {};
  for (const role of Object.keys(FACE_MODEL_FILES) as FaceModelRole[]) {
    const path = pack.face?.[role];
    if (path !== undefined) files[role] = path;
  }
  return files;
}
