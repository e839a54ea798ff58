// Assertions for inferline's errors: the stable `code`, the class the factory promises, and key
// words of the message (the thing named, what was expected, what came). Messages are not API, so
// tests check words that must be there, never whole messages.
import { expect } from 'vitest';
import { InferlineError, type InferlineErrorCode } from '../../src/errors.js';

/**
 * The class an error must be: argument errors are TypeError/RangeError (as Node's are),
 * the rest plain InferlineError, and aborts are InferlineError named AbortError.
 */
export type ErrorKind = 'TypeError' | 'RangeError' | 'InferlineError' | 'AbortError';

export interface ExpectedError {
  code: InferlineErrorCode;
  kind: ErrorKind;
  /** Substrings the message must contain, each checked on its own so a failure names it. */
  includes?: ReadonlyArray<string | RegExp>;
  /** Substrings the message must not contain. */
  excludes?: ReadonlyArray<string | RegExp>;
}

/** Checks that `error` is the inferline error described by `expected`, and returns it typed. */
export function expectInferlineError(error: unknown, expected: ExpectedError): InferlineError {
  expect(error, 'an Error was thrown').toBeInstanceOf(Error);
  const actual = error as InferlineError;
  const described = `${actual.name} ${String(actual.code)}: ${actual.message}`;
  expect(actual.code, described).toBe(expected.code);
  expect(actual instanceof InferlineError, `instanceof InferlineError: ${described}`).toBe(true);
  switch (expected.kind) {
    case 'TypeError':
      expect(actual, described).toBeInstanceOf(TypeError);
      expect(actual.name).toBe('TypeError');
      break;
    case 'RangeError':
      expect(actual, described).toBeInstanceOf(RangeError);
      expect(actual.name).toBe('RangeError');
      break;
    case 'InferlineError':
    case 'AbortError':
      expect(actual, described).not.toBeInstanceOf(TypeError);
      expect(actual, described).not.toBeInstanceOf(RangeError);
      expect(actual.name).toBe(expected.kind);
      break;
  }
  for (const words of expected.includes ?? []) {
    if (typeof words === 'string') expect(actual.message, `message names ${JSON.stringify(words)}`).toContain(words);
    else expect(actual.message, `message matches ${String(words)}`).toMatch(words);
  }
  for (const words of expected.excludes ?? []) {
    if (typeof words === 'string') expect(actual.message).not.toContain(words);
    else expect(actual.message).not.toMatch(words);
  }
  return actual;
}

/** Calls a synchronous API and checks what it throws. */
export function expectThrows(call: () => unknown, expected: ExpectedError): InferlineError {
  let thrown: unknown;
  let threw = false;
  try {
    call();
  } catch (error) {
    threw = true;
    thrown = error;
  }
  expect(threw, `expected ${expected.code} to be thrown`).toBe(true);
  return expectInferlineError(thrown, expected);
}

/**
 * Calls an async API and checks that it returned a promise (it must never throw synchronously,
 * even for the worst argument) and that the promise rejects with the expected error.
 */
export async function expectRejects(call: () => unknown, expected: ExpectedError): Promise<InferlineError> {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    const what = error instanceof Error ? `${error.name} ${String((error as InferlineError).code)}: ${error.message}` : String(error);
    expect.fail(`expected a rejected promise, but the call threw synchronously: ${what}`);
  }
  expect(returned, 'the async API returned a promise').toBeInstanceOf(Promise);
  let rejection: unknown;
  let rejected = false;
  try {
    await returned;
  } catch (error) {
    rejected = true;
    rejection = error;
  }
  expect(rejected, `expected the promise to reject with ${expected.code}`).toBe(true);
  return expectInferlineError(rejection, expected);
}
