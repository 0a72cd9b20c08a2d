import { ENVIRONMENT } from './environment.ts';
import type { Schema, Variable } from './variable.ts';

/** Variables that libraries read themselves, documented here but not parsed by the schema. */
const LIBRARY_VARIABLES: ReadonlyArray<readonly [string, string]> = [
  ['AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN', '`@portrait-farm/storage`: S3 credentials when the storage URL carries none (else the AWS SDK\'s default chain).'],
  ['FFMPEG_PATH, FFPROBE_PATH', '`@portrait-farm/media`: the ffmpeg and ffprobe binaries (default: those on PATH).'],
];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultText(variable: Variable<unknown>): string {
  if (variable.default !== undefined) return `\`${variable.form.format(variable.default)}\``;
  if (variable.computedDefault !== undefined) return variable.computedDefault.text;
  return variable.unset ?? 'none';
}

/** The markdown page of every variable of `schema` (docs/configuration.md), in the schema's order. */
export function configurationTable(schema: Schema = ENVIRONMENT): string {
  const rows = Object.entries(schema).map(([name, variable]) => {
    const required = variable.requiredBy === undefined ? '' : ` (required by the ${variable.requiredBy.join(' and ')})`;
    return `| \`${name}\` | ${cell(variable.form.expected)} | ${cell(defaultText(variable))} | ${variable.readBy.join(', ')}${required} | ${cell(variable.description)} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from packages/config/src/environment.ts by `npm run table -w @portrait-farm/config`. Do not edit by hand: a test checks that this file is current. -->',
    '',
    'Every farm process (the gateway, the workers, the stitcher) and the local farm (`portrait-farm up`, `demo`) read',
    'their environment once at start through `@portrait-farm/config`, into a frozen object. Rules:',
    '',
    '- An empty value counts as unset. Flags are `1`, `0`, `true` or `false`; lists are comma-separated, blank entries skipped.',
    '- Tenant ids hold no `:`, so `tenant:whsec_...` entries split at the first `:` and `key:tenant` entries at the last.',
    '- A bad value stops the process (exit code 78) with a message that names the variable, the form it expects and',
    '  what it was given; API keys, webhook and presign secrets and URL passwords are masked. All problems are listed at once.',
    '- A variable whose name starts with `PORTRAIT` (in any case) that is not in this table is an error too, naming the',
    '  closest variable: a misspelt setting does not pass unnoticed.',
    '- The gateway reads `PORTRAIT_FARM_CONFIG`\'s JSON file first (a `GatewayConfig`); the variables override its fields,',
    '  and the file\'s fields get the same checks and defaults as the variables.',
    '',
    '| Variable | Form | Default | Read by | Description |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## Read by libraries',
    '',
    'Not parsed by the schema above; the library reads them where it needs them.',
    '',
    '| Variable | Read by |',
    '|---|---|',
    ...LIBRARY_VARIABLES.map(([names, what]) => `| ${names.split(', ').map((n) => `\`${n}\``).join(', ')} | ${cell(what)} |`),
    '',
  ].join('\n');
}
