import { Type, type SchemaOptions, type Static, type TUnsafe } from '@sinclair/typebox';
import { RENDER_BACKENDS } from './render-backends.ts';
import { RENDER_OPTION_RANGES } from './render-option-ranges.ts';

export { RENDER_OPTION_RANGES };

/**
 * The one model of the render options. The TypeScript types, the gateway's request validation, the OpenAPI document,
 * the CLI's flags, help text and checks, and the engine's checks all derive from these schemas (JSON Schema 2020-12).
 * Adding an option: add it here (and to RENDER_OPTION_RANGES if it is a number), then use it where it acts.
 */

function stringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const EMOTIONS = Object.freeze(['neutral', 'happy', 'sad', 'angry', 'surprised'] as const);
export const SOLVERS = Object.freeze(['ddim', 'dpmpp-2m'] as const);
export const OUTPUT_MODES = Object.freeze(['full', 'crop'] as const);
export const DEFAULT_OUTPUT_MODE: OutputMode = 'full';
export const EXECUTION_PROVIDERS = Object.freeze(['cuda', 'webgpu', 'cpu'] as const);


type RangeName = keyof typeof RENDER_OPTION_RANGES;

function bounds(name: RangeName): { minimum: number; maximum: number; default?: number } {
  const range: { min: number; max: number; default?: number } = RENDER_OPTION_RANGES[name];
  return { minimum: range.min, maximum: range.max, ...(range.default === undefined ? {} : { default: range.default }) };
}

const number = (name: RangeName, description: string): ReturnType<typeof Type.Number> => Type.Number({ ...bounds(name), description });
const integer = (name: RangeName, description: string): ReturnType<typeof Type.Integer> => Type.Integer({ ...bounds(name), description });

export const GazeSchema = Type.Union(
  [
    Type.Literal('camera'),
    Type.Object(
      { x: number('gaze', 'Horizontal, + = image right.'), y: number('gaze', 'Vertical, + = down.') },
      { additionalProperties: false },
    ),
  ],
  { description: 'Where the eyes look: "camera" (at the viewer, partly compensating head turns), or {x, y} in gaze units: 1 = 30 degrees, + = image right and down. Default: the model\'s gaze.' },
);

export const RenderControlsSchema = Type.Object(
  {
    gaze: Type.Optional(GazeSchema),
    headDistance: Type.Optional(number('headDistance', 'Head scale offset (natural log): + = closer and larger, - = farther.')),
    emotion: Type.Optional(stringEnum(EMOTIONS, { default: 'neutral', description: 'Facial expression.' })),
    emotionIntensity: Type.Optional(number('emotionIntensity', 'Strength of the emotion (which must be given).')),
    motionIntensity: Type.Optional(number('motionIntensity', 'Head motion about the mean pose: 0 = still, 1 = as generated, 2 = twice as much.')),
    blinkRate: Type.Optional(number('blinkRate', 'Blinks per minute: seeded 100-300 ms blinks replace the model\'s. Default: the model\'s blinks.')),
  },
  {
    additionalProperties: false,
    description: 'Controls acting on the generated motion, in the manner of VASA-1.',
    if: { required: ['emotionIntensity'] },
    then: { required: ['emotion'], description: 'emotionIntensity scales an emotion: give the emotion too.' },
  },
);

export const FaceBoxSchema = Type.Object(
  {
    x: integer('faceBoxOrigin', 'Left edge.'),
    y: integer('faceBoxOrigin', 'Top edge.'),
    width: integer('faceBoxSide', 'Width.'),
    height: integer('faceBoxSide', 'Height.'),
  },
  { additionalProperties: false, description: 'The face\'s box in image pixels, for a face the detector misses.' },
);

/** Everything that defines what a job renders. Every field is optional; {@link resolveJobOptions} fills fps, mode and seed. */
export const JobOptionsSchema = Type.Object(
  {
    fps: Type.Optional(integer('fps', 'Output frames per second.')),
    mode: Type.Optional(stringEnum(OUTPUT_MODES, { default: DEFAULT_OUTPUT_MODE, description: '"full" keeps the portrait\'s framing (long side capped at 1920); "crop" renders the 512x512 face crop.' })),
    seed: Type.Optional(integer('seed', 'Random seed: the same seed and inputs give the same video.')),
    steps: Type.Optional(integer('steps', 'Denoising steps. Default: the model pack\'s.')),
    solver: Type.Optional(stringEnum(SOLVERS, { description: 'Diffusion solver. Default: the model pack\'s.' })),
    guidance: Type.Optional(number('guidance', 'Classifier-free guidance scale on audio. Default: the model pack\'s.')),
    controls: Type.Optional(RenderControlsSchema),
    faceIndex: Type.Optional(Type.Integer({ minimum: RENDER_OPTION_RANGES.faceIndex.min, maximum: RENDER_OPTION_RANGES.faceIndex.max, description: 'Which detected face, counted from the largest (0). Default: 0, unless faceBox is given.' })),
    faceBox: Type.Optional(FaceBoxSchema),
    label: Type.Optional(
      Type.Boolean({
        description: 'Draw a visible "AI-GENERATED" label in the bottom-right corner of every frame. Default: false; an operator can make it mandatory (PORTRAIT_FARM_REQUIRE_LABEL).',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Render options of a job.',
    not: { type: 'object', required: ['faceIndex', 'faceBox'], description: 'faceIndex and faceBox choose the face in two ways: pass one.' },
  },
);

/** Settings of the process that renders (CLI, worker), not of the job. */
export const RenderProcessOptionsSchema = Type.Object(
  {
    providers: Type.Optional(Type.Array(stringEnum(EXECUTION_PROVIDERS), { minItems: 1, uniqueItems: true, description: 'Execution providers to try, in order. Default: cuda, webgpu, cpu.' })),
    renderThreads: Type.Optional(Type.Integer({ minimum: RENDER_OPTION_RANGES.renderThreads.min, maximum: RENDER_OPTION_RANGES.renderThreads.max, description: 'Threads rendering frames in parallel. Default: 2, or 1 on a one-core machine.' })),
    renderer: Type.Optional(
      stringEnum(RENDER_BACKENDS, {
        description:
          "How frames are drawn: cpu (the TypeScript renderer) or onnx-graph (the warp as an ONNX graph on the first of the providers that loads, a GPU's with cuda; frames within two levels of cpu's). Default: cpu.",
      }),
    ),
  },
  { additionalProperties: false },
);

export type Emotion = (typeof EMOTIONS)[number];
export type Solver = (typeof SOLVERS)[number];
export type OutputMode = (typeof OUTPUT_MODES)[number];
export type RenderControls = Static<typeof RenderControlsSchema>;
export type FaceBox = Static<typeof FaceBoxSchema>;
/** Job options as a client sends them: every field optional. */
export type JobOptionsInput = Static<typeof JobOptionsSchema>;
/** Job options with fps, mode and seed decided (what the job record keeps). */
export type JobOptions = Omit<JobOptionsInput, 'fps' | 'mode' | 'seed'> & Required<Pick<JobOptionsInput, 'fps' | 'mode' | 'seed'>>;
export type RenderProcessOptions = Static<typeof RenderProcessOptionsSchema>;

/** Fills the job-level defaults (fps, mode, seed); the one place they are applied. Controls get theirs in motion. */
export function resolveJobOptions(options: JobOptionsInput): JobOptions {
  return {
    ...options,
    fps: options.fps ?? RENDER_OPTION_RANGES.fps.default,
    mode: options.mode ?? DEFAULT_OUTPUT_MODE,
    seed: options.seed ?? RENDER_OPTION_RANGES.seed.default,
  };
}
