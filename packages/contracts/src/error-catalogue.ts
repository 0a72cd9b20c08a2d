/**
 * One error catalogue per package: every stable code with whether a later attempt may succeed, the HTTP status a
 * server answers where one applies, and one line on what it means. A package's errors module is four statements:
 *
 * ```ts
 * export const FACE_ERRORS = defineErrorCatalogue({
 *   FACE_NOT_FOUND: { retryable: false, description: 'No face was detected in the portrait.' },
 * });
 * export type FaceErrorCode = ErrorCode<typeof FACE_ERRORS>;
 * export class FaceError extends catalogueErrorClass('FaceError', FACE_ERRORS) {}
 * export const isFaceError = errorGuard(FaceError);
 * ```
 *
 * Every such error is a {@link CatalogueError}, so {@link isRetryable} reads the flag of any package's error
 * without knowing its codes.
 */

/** What a catalogue says about one code. */
export interface ErrorCatalogueEntry {
  /** The HTTP status a server answers when this error reaches a client (400-599); give it for every code or none. */
  readonly status?: number;
  /**
   * Whether a later attempt of the same work may succeed: true for transient failures (a store or Redis
   * unreachable, a thread or process killed mid-work, a timeout), false for bad input, missing files and bad
   * configuration, which fail the same way every time.
   */
  readonly retryable: boolean;
  /** One line: what the code means. */
  readonly description: string;
}

/** Stable codes (UPPER_SNAKE_CASE) and what each means. */
export type ErrorCatalogue = Readonly<Record<string, ErrorCatalogueEntry>>;

/** The codes of a catalogue, as a union type. */
export type ErrorCode<C extends ErrorCatalogue> = Extract<keyof C, string>;

export interface CatalogueErrorOptions {
  /** The error that caused this one (`error.cause`). */
  cause?: unknown;
  /** Overrides the catalogue's `retryable` for this one error, where the circumstances decide (a 4xx answer is final, a 5xx is not). */
  retryable?: boolean;
}

/** The base of every catalogue error: a stable `code` and whether a later attempt may succeed. */
export abstract class CatalogueError<Code extends string = string> extends Error {
  /** Stable code; the package's catalogue says what it means. */
  readonly code: Code;
  /** Whether a later attempt of the same work may succeed; the catalogue's flag unless the thrower overrode it. */
  readonly retryable: boolean;

  constructor(code: Code, entry: ErrorCatalogueEntry, message: string, options: CatalogueErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? entry.retryable;
  }
}

/** `status` on the errors of a catalogue that gives its codes one. */
type StatusField<C extends ErrorCatalogue> = C[keyof C] extends { readonly status: number } ? { readonly status: number } : unknown;

/** An error of catalogue `C`. */
export type CatalogueErrorOf<C extends ErrorCatalogue> = CatalogueError<ErrorCode<C>> & StatusField<C>;

/** The class {@link catalogueErrorClass} makes: `new XError(code, message, { cause })`. */
export interface CatalogueErrorClass<C extends ErrorCatalogue> {
  new (code: ErrorCode<C>, message: string, options?: CatalogueErrorOptions): CatalogueErrorOf<C>;
  readonly prototype: CatalogueErrorOf<C>;
}

const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const ENTRY_FIELDS: ReadonlySet<string> = new Set(['status', 'retryable', 'description']);

function checkEntry(code: string, entry: ErrorCatalogueEntry): void {
  const problem = (what: string, received: unknown): Error =>
    new TypeError(`Error catalogue entry ${code}: ${what}. Received: ${JSON.stringify(received) ?? String(received)}`);
  if (!CODE_PATTERN.test(code)) throw problem('codes are UPPER_SNAKE_CASE with at least two words', code);
  if (typeof entry !== 'object' || entry === null) throw problem('an entry is an object {status?, retryable, description}', entry);
  const unknown = Object.keys(entry).find((field) => !ENTRY_FIELDS.has(field));
  if (unknown !== undefined) throw problem('an entry has the fields status, retryable and description only', unknown);
  if (typeof entry.retryable !== 'boolean') throw problem('retryable must be true or false', entry.retryable);
  if (typeof entry.description !== 'string' || entry.description.trim() === '' || entry.description.includes('\n')) {
    throw problem('description must be one non-empty line', entry.description);
  }
  if (entry.status !== undefined && !(Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599)) {
    throw problem('status must be an HTTP error status, an integer from 400 to 599', entry.status);
  }
}

/**
 * Checks a catalogue (code form, entry fields, one-line descriptions, statuses for every code or none) and
 * freezes it with its entries. Throws a TypeError naming the code at fault, so a bad catalogue fails at import.
 */
export function defineErrorCatalogue<const C extends ErrorCatalogue>(catalogue: C): Readonly<C> {
  const entries = Object.entries(catalogue);
  for (const [code, entry] of entries) {
    checkEntry(code, entry);
    Object.freeze(entry);
  }
  const withStatus = entries.filter(([, entry]) => entry.status !== undefined).length;
  if (withStatus !== 0 && withStatus !== entries.length) {
    const missing = entries.filter(([, entry]) => entry.status === undefined).map(([code]) => code);
    throw new TypeError(`Error catalogue: give every code a status or none. Without one: ${missing.join(', ')}`);
  }
  return Object.freeze(catalogue);
}

/**
 * The error class of a catalogue: `code`, `retryable` (and `status` where the catalogue has statuses) from the
 * entry, `cause` through the options. Subclass it for the package's name and extra fields:
 * `export class JobsError extends catalogueErrorClass('JobsError', JOBS_ERRORS) {}`.
 */
export function catalogueErrorClass<C extends ErrorCatalogue>(className: string, catalogue: C): CatalogueErrorClass<C> {
  class DefinedError extends CatalogueError<ErrorCode<C>> {
    constructor(code: ErrorCode<C>, message: string, options?: CatalogueErrorOptions) {
      const entry: ErrorCatalogueEntry | undefined = catalogue[code];
      if (entry === undefined) throw new TypeError(`${className}: ${String(code)} is not a code of its catalogue.`);
      super(code, entry, message, options);
      if (entry.status !== undefined) Object.defineProperty(this, 'status', { value: entry.status, enumerable: true });
    }
  }
  // On the prototype, so the stack trace's first line already names the class.
  Object.defineProperty(DefinedError.prototype, 'name', { value: className, writable: true, configurable: true });
  Object.defineProperty(DefinedError, 'name', { value: className });
  // `status` is set above exactly when the catalogue has statuses, which is what StatusField says.
  return DefinedError as unknown as CatalogueErrorClass<C>;
}

/** A type guard for an error class: `isJobsError(error)`, or with a code, `isJobsError(error, 'JOBS_NOT_FOUND')`. */
export function errorGuard<E extends CatalogueError>(errorClass: abstract new (...args: never[]) => E): (error: unknown, code?: E['code']) => error is E {
  return (error: unknown, code?: E['code']): error is E => error instanceof errorClass && (code === undefined || error.code === code);
}

/** True for an error of any package's catalogue. */
export function isCatalogueError(error: unknown): error is CatalogueError {
  return error instanceof CatalogueError;
}

/**
 * Whether a later attempt may succeed: the catalogue's flag for a catalogue error of any package, and
 * `ifUnknown` for any other error, which is the caller's policy to state.
 */
export function isRetryable(error: unknown, ifUnknown: boolean): boolean {
  return isCatalogueError(error) ? error.retryable : ifUnknown;
}
