import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { loadPublicKey, verifyVideo } from '@portrait-farm/provenance';
import type { VideoVerification } from '@portrait-farm/provenance';
import { detectWatermarkInVideo } from '@portrait-farm/watermark';
import { chooseWatermarkKey } from '../watermark-key.ts';
import { EXIT, type CliCommand, type CliIo } from './command.ts';

export const VERIFY_USAGE = `Usage: portrait-farm verify VIDEO.mp4 [--json] [--key PUBLIC.pem | --gateway URL] [--watermark-key KEY]

Check a video: its signed provenance manifest (a top-level MP4 uuid box the farm's stitcher writes) and its
invisible watermark. Reports whether a manifest is present, whether its Ed25519 signature is valid, whether the file
was altered after signing (its hash without the manifest box differs from the signed one), the manifest's fields
(job, tenant, inputs' hashes, model pack, options, consent, label, watermark payload), and the watermark's payload.

Options:
  --key PATH       the farm's public key (PEM; a private key file works too), e.g. DATA_DIR/signing-key.pem
  --gateway URL    fetch the public key from a farm's gateway (GET URL/v1/signing-key)
  --watermark-key KEY  the farm's watermark key (16+ characters; unset: PORTRAIT_FARM_WATERMARK_KEY, else the
                   package's default key, which farms that set no key use)
  --json           print the report as JSON
  -h, --help       this text

Without --key or --gateway the signature is not checked. Exit status: 0 signed, valid and unaltered; 1 otherwise
(no manifest, invalid signature, altered file); 2 a wrong command line (or watermark key).
`;

interface VerifyArgs {
  video: string;
  json: boolean;
  key: string | null;
  gateway: string | null;
  watermarkKey: string | null;
}

function parseArgs(argv: readonly string[]): VerifyArgs | string {
  const args: VerifyArgs = { video: '', json: false, key: null, gateway: null, watermarkKey: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
    if (name === '--json') args.json = true;
    else if (name === '--key' || name === '--gateway' || name === '--watermark-key') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return `${name} needs a value.`;
      if (name === '--key') args.key = value;
      else if (name === '--gateway') args.gateway = value;
      else args.watermarkKey = value;
    } else if (arg.startsWith('-')) return `Unknown option ${arg}.`;
    else if (args.video === '') args.video = arg;
    else return `One video at a time. Received also: ${arg}`;
  }
  if (args.video === '') return 'Name the video to check.';
  if (args.key !== null && args.gateway !== null) return 'Pass --key or --gateway, not both.';
  return args;
}

async function publicKeyOf(args: VerifyArgs, cwd: string): Promise<KeyObject | null> {
  if (args.key !== null) return loadPublicKey(resolve(cwd, args.key));
  if (args.gateway === null) return null;
  const url = `${args.gateway.replace(/\/+$/, '')}/v1/signing-key`;
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`GET ${url} answered ${answer.status}: ${await answer.text()}`);
  return loadPublicKey(((await answer.json()) as { publicKeyPem: string }).publicKeyPem);
}

function verified(report: VideoVerification): boolean {
  const m = report.manifest;
  return m.manifest === 'found' && m.signatureValid === true && m.altered === false;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(VERIFY_USAGE);
    return EXIT.ok;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr.write(`error: ${args}\n\n${VERIFY_USAGE}`);
    return EXIT.usage;
  }
  const video = resolve(io.cwd, args.video);
  if (!existsSync(video)) {
    io.stderr.write(`error: video file not found: ${args.video}\n`);
    return EXIT.usage;
  }
  let publicKey: KeyObject | null;
  try {
    publicKey = await publicKeyOf(args, io.cwd);
  } catch (error) {
    io.stderr.write(`error: the public key cannot be read: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
  const watermarkKey = chooseWatermarkKey(args.watermarkKey, io.env ?? process.env);
  if (!watermarkKey.ok) {
    io.stderr.write(`error: ${watermarkKey.message}\n`);
    return EXIT.usage;
  }
  const { key } = watermarkKey;
  const report = await verifyVideo(video, { publicKey, detect: (path) => detectWatermarkInVideo(path, key === null ? {} : { key }) });
  if (args.json) io.stdout.write(`${JSON.stringify({ video: args.video, ...report }, null, 2)}\n`);
  else {
    io.stdout.write(`${args.video}\n${report.summary.map((line) => `  ${line}`).join('\n')}\n`);
    const f = report.manifest.fields;
    if (f !== null) {
      io.stdout.write(
        `  job ${f.jobId} (tenant ${f.tenantId}), created ${f.createdAt}; model ${f.model === null ? 'unknown' : `${f.model.pack} ${f.model.version}`}; ` +
          `label ${f.label ? 'on' : 'off'}; consent ${f.consent === null ? 'none recorded' : `attested${f.consent.statement === null ? '' : `: "${f.consent.statement}"`}`}\n`,
      );
    }
  }
  return verified(report) ? EXIT.ok : EXIT.failed;
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'check a video\'s signed provenance manifest and invisible watermark',
  usage: VERIFY_USAGE,
  run,
};
