import { CliError } from '../cli-error.ts';
import { createJsonReporter } from '../json-reporter.ts';
import { loadEngine } from '../load-engine.ts';
import { parseRenderArgs, RENDER_USAGE } from '../render-args.ts';
import { createHumanReporter, engineLog, toReportedError, type RenderReporter } from '../render-reporter.ts';
import { EXIT, type CliCommand, type CliIo } from './command.ts';

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
    const started = io.now();
    try {
      const { renderClip, inspectPortrait } = await loadEngine();
      // Decoded before any model loads: an unreadable portrait fails at once, a large one is said to be downscaled.
      const portrait = await inspectPortrait(parsed.options.image, parsed.options.mode);
      if (portrait.downscaledTo !== null) {
        const { width, height } = portrait.downscaledTo;
        reporter.notice(`The portrait is ${portrait.width}x${portrait.height}; it is rendered at ${width}x${height} (long side at most 1920).`);
      }
      const options = { ...parsed.options, log: engineLog(reporter) };
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
