import { describe, expect, it } from 'vitest';
import { CatalogueError, catalogueErrorClass, defineErrorCatalogue, errorGuard, isCatalogueError, isRetryable } from './error-catalogue.ts';
import type { ErrorCatalogue, ErrorCode } from './error-catalogue.ts';

const TOY_ERRORS = defineErrorCatalogue({
  TOY_MISSING: { status: 404, retryable: false, description: 'No toy under that name.' },
  TOY_BUSY: { status: 503, retryable: true, description: 'The toy box cannot be reached.' },
});
type ToyErrorCode = ErrorCode<typeof TOY_ERRORS>;
class ToyError extends catalogueErrorClass('ToyError', TOY_ERRORS) {}
const isToyError = errorGuard(ToyError);

const PLAIN_ERRORS = defineErrorCatalogue({ PLAIN_BAD: { retryable: false, description: 'Bad.' } });
class PlainError extends catalogueErrorClass('PlainError', PLAIN_ERRORS) {
  constructor(
    message: string,
    readonly extra: number,
  ) {
    super('PLAIN_BAD', message);
  }
}

describe('defineErrorCatalogue', () => {
  it('freezes the catalogue and its entries', () => {
    expect(Object.isFrozen(TOY_ERRORS)).toBe(true);
    expect(Object.isFrozen(TOY_ERRORS.TOY_MISSING)).toBe(true);
    const codes: ToyErrorCode[] = ['TOY_MISSING', 'TOY_BUSY'];
    expect(Object.keys(TOY_ERRORS)).toEqual(codes);
  });

  it.each<[string, ErrorCatalogue, string]>([
    ['a lower-case code', { toy_missing: { retryable: false, description: 'x' } }, 'Error catalogue entry toy_missing: codes are UPPER_SNAKE_CASE'],
    ['a one-word code', { MISSING: { retryable: false, description: 'x' } }, 'Error catalogue entry MISSING: codes are UPPER_SNAKE_CASE'],
    ['no retryable decision', { TOY_X: { description: 'x' } as never }, 'TOY_X: retryable must be true or false. Received: undefined'],
    ['an empty description', { TOY_X: { retryable: true, description: ' ' } }, 'TOY_X: description must be one non-empty line. Received: " "'],
    ['a two-line description', { TOY_X: { retryable: true, description: 'a\nb' } }, 'TOY_X: description must be one non-empty line'],
    ['a success status', { TOY_X: { status: 200, retryable: true, description: 'x' } }, 'TOY_X: status must be an HTTP error status, an integer from 400 to 599. Received: 200'],
    ['an unknown field', { TOY_X: { httpStatus: 500, retryable: true, description: 'x' } as never }, 'TOY_X: an entry has the fields status, retryable and description only. Received: "httpStatus"'],
    [
      'statuses on some codes only',
      { TOY_A: { status: 500, retryable: true, description: 'x' }, TOY_B: { retryable: true, description: 'y' } },
      'give every code a status or none. Without one: TOY_B',
    ],
  ])('refuses %s, naming the code and what it received', (_, catalogue, message) => {
    expect(() => defineErrorCatalogue(catalogue)).toThrow(message);
  });
});

describe('catalogueErrorClass', () => {
  it('makes errors with the code, the entry fields, the class name and a cause', () => {
    const cause = new Error('socket closed');
    const error = new ToyError('TOY_BUSY', 'The toy box at toys:1 did not answer.', { cause });
    expect(error).toBeInstanceOf(ToyError);
    expect(error).toBeInstanceOf(CatalogueError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ToyError', code: 'TOY_BUSY', status: 503, retryable: true, message: 'The toy box at toys:1 did not answer.' });
    expect(error.cause).toBe(cause);
    expect(String(error.stack)).toMatch(/^ToyError: The toy box/);
    expect(ToyError.name).toBe('ToyError');
    expect(new ToyError('TOY_MISSING', 'm')).toMatchObject({ status: 404, retryable: false });
    expect('cause' in new ToyError('TOY_MISSING', 'm')).toBe(false);
  });

  it('lets one error override its retryable flag', () => {
    expect(new ToyError('TOY_BUSY', 'm', { retryable: false }).retryable).toBe(false);
  });

  it('gives no status to the errors of a catalogue without statuses, and takes extra fields in a subclass', () => {
    const error = new PlainError('m', 7);
    expect(error).toMatchObject({ name: 'PlainError', code: 'PLAIN_BAD', retryable: false, extra: 7 });
    expect('status' in error).toBe(false);
  });

  it('refuses a code its catalogue lacks', () => {
    expect(() => new ToyError('TOY_LOST' as ToyErrorCode, 'm')).toThrow('ToyError: TOY_LOST is not a code of its catalogue.');
  });
});

describe('errorGuard', () => {
  it('recognises the class, optionally one code', () => {
    const error: unknown = new ToyError('TOY_MISSING', 'm');
    expect(isToyError(error)).toBe(true);
    expect(isToyError(error, 'TOY_MISSING')).toBe(true);
    expect(isToyError(error, 'TOY_BUSY')).toBe(false);
    expect(isToyError(new PlainError('m', 1))).toBe(false);
    expect(isToyError(Object.assign(new Error('m'), { code: 'TOY_MISSING' }))).toBe(false);
    if (isToyError(error)) expect(error.status).toBe(404);
  });
});

describe('isRetryable', () => {
  it("reads any catalogue's flag, and the caller's policy for other errors", () => {
    expect(isRetryable(new ToyError('TOY_BUSY', 'm'), false)).toBe(true);
    expect(isRetryable(new ToyError('TOY_MISSING', 'm'), true)).toBe(false);
    expect(isRetryable(new PlainError('m', 1), true)).toBe(false);
    expect(isRetryable(new TypeError('x is undefined'), true)).toBe(true);
    expect(isRetryable(new TypeError('x is undefined'), false)).toBe(false);
    expect(isRetryable('a string', true)).toBe(true);
    expect(isCatalogueError(new PlainError('m', 1))).toBe(true);
    expect(isCatalogueError(new Error('m'))).toBe(false);
  });
});
