import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of the configuration: stable codes, whether a retry may help, what each means. */
export const CONFIG_ERRORS = defineErrorCatalogue({
  CONFIG_INVALID: {
    retryable: false,
    description: 'One or more environment variables are missing, malformed, out of range or unknown; `problems` lists each.',
  },
});

export type ConfigErrorCode = ErrorCode<typeof CONFIG_ERRORS>;

/** What is wrong with one variable. */
export interface ConfigProblem {
  /** `missing`: required and unset; `malformed`: refused by its form; `unknown`: not in the schema. */
  readonly kind: 'missing' | 'malformed' | 'unknown';
  /** The variable's name, e.g. PORTRAIT_FARM_LOCK_MS. */
  readonly variable: string;
  /** What a valid value looks like ("an integer from 1000 to 3600000"); null for an unknown variable. */
  readonly expected: string | null;
  /** The value as given, quoted, with secrets and URL passwords masked; null when unset or unknown. */
  readonly given: string | null;
  /** The closest known variable, for an unknown one. */
  readonly suggestion: string | null;
  /** One sentence naming the variable, what it expects and what it was given. */
  readonly message: string;
}

/** The environment does not describe a process that can start: every problem found, not only the first. */
export class ConfigError extends catalogueErrorClass('ConfigError', CONFIG_ERRORS) {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      'CONFIG_INVALID',
      problems.length === 1
        ? (problems[0]?.message ?? '')
        : `${problems.length} problems in the environment:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`,
    );
  }
}

/** True when `error` is a ConfigError. */
export const isConfigError = errorGuard(ConfigError);
