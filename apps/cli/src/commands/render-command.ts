import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { watermarkPayload } from '@portrait-farm/provenance';
import { CliError, usageError } from '../cli-error.ts';
import { createJsonReporter } from '../json-reporter.ts';
import { loadEngine } from '../load-engine.ts';
import { parseRenderArgs, RENDER_USAGE } from '../render-args.ts';
import { createHumanReporter, engineLog, toReportedError, type RenderReporter } from '../render-reporter.ts';
import { chooseWatermarkKey } from '../watermark-key.ts';
import { EXIT, type CliCommand, type CliIo } from './command.ts';

/** The tenant a local render's watermark payload names. */
export const LOCAL_WATERMARK_TENANT = 'local';

/**
 * The invisible watermark payload of `portrait-farm render`: @portrait-farm/provenance's derivation (the farm's) with
 * the output's file name as the job id, the tenant "local", the pack's version and today's UTC date:
 * the first 8 bytes of sha256("<file name>|local|<pack version>|YYYY-MM-DD").
 */
export function localWatermarkPayload(out: string, pack: string, date: Date): Uint8Array {
  let packVersion = 'unknown';
  try {
    packVersion = String((JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    // The engine reports an unreadable pack itself.
  }
  return Uint8Array.from(watermarkPayload({ jobId: basename(out), tenantId: LOCAL_WATERMARK_TENANT, packVersion, date }));
}

function reporterFor(io: CliIo, flags: { json: boolean; verbose: boolean }): RenderReporter {
  return flags.json
    ? createJsonReporter(io.stdout, { verbose: flags.verbose, now: io.now })
    : createHumanReporter(io.stdout, io.stderr, { verbose: flags.verbose, now: io.now });
}

/** `portrait-farm render`: portrait + audio -> MP4 through the engine's renderClip. */
export const renderCommand: CliCommand = {
  name: 'render',
  summary: 'render a talking video from a portrait and an audio track',
  usage: RENDER_USAGE,
  async run(argv, io) {
    // Usage errors (CliError CLI_USAGE) propagate to the dispatcher, which prints them and exits with 2; with --json
    // they are an error event on stdout instead, like every other error.
    let parsed: ReturnType<typeof parseRenderArgs>;
    try {
      parsed = parseRenderArgs(argv, io.cwd);
    } catch (error) {
      if (!(error instanceof CliError) || !argv.includes('--json')) throw error;
      createJsonReporter(io.stdout, { verbose: argv.includes('--verbose'), now: io.now }).error(toReportedError(error));
      return error.code === 'CLI_USAGE' ? EXIT.usage : EXIT.failed;
    }
    if (parsed.kind === 'help') {
      io.stdout.write(RENDER_USAGE);
      return EXIT.ok;
    }
    const reporter = reporterFor(io, parsed.flags);
    const watermarkKey = parsed.watermark ? chooseWatermarkKey(null, io.env ?? process.env) : { ok: true as const, key: null };
    if (!watermarkKey.ok) {
      reporter.error(toReportedError(usageError(watermarkKey.message)));
      return EXIT.usage;
    }
    const started = io.now();
    try {
      const { renderClip, inspectPortrait } = await loadEngine();
      // Decoded before any model loads: an unreadable portrait fails at once, a large one is said to be downscaled.
      const portrait = await inspectPortrait(parsed.options.image, parsed.options.mode);
      if (portrait.downscaledTo !== null) {
        const { width, height } = portrait.downscaledTo;
        reporter.notice(`The portrait is ${portrait.width}x${portrait.height}; it is rendered at ${width}x${height} (long side at most 1920).`);
      }
      // Responsible use by default: every frame carries the invisible watermark (PORTRAIT_FARM_WATERMARK_KEY's key, as
      // the farm's workers and `portrait-farm verify` read it, else the package's default); --no-watermark leaves it
      // out, and says so.
      const payload = localWatermarkPayload(parsed.options.out, parsed.options.pack, new Date());
      const watermark = parsed.watermark ? { payload, key: watermarkKey.key } : null;
      if (watermark === null) reporter.notice('--no-watermark: this video carries no invisible watermark; `portrait-farm verify` will not recognise it as generated.');
      const options = { ...parsed.options, watermark, log: engineLog(reporter) };
      const result = await renderClip(io.interrupt === undefined ? options : { ...options, signal: io.interrupt }, (p) =>
        reporter.progress(p),
      );
      reporter.done(result, (io.now() - started) / 1000);
      return EXIT.ok;
    } catch (error) {
      reporter.error(toReportedError(error));
      return EXIT.failed;
    }
  },
};
