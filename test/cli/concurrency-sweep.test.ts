// inferline bench --concurrency: perf_analyzer's start:end:step ranges and plain lists.
import { describe, expect, it } from 'vitest';
import { parseConcurrency } from '../../src/cli/load/concurrency-sweep.js';
import { expectThrows } from '../helpers/expect-error.js';

describe('parseConcurrency', () => {
  it('reads multiplying ranges, stepped ranges and lists', () => {
    expect(parseConcurrency('1:64:x2')).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(parseConcurrency('1:10:3')).toEqual([1, 4, 7, 10]);
    expect(parseConcurrency('4:4')).toEqual([4]);
    expect(parseConcurrency('1, 16,64')).toEqual([1, 16, 64]);
  });

  it.each([
    ['0:4', '"0"'], ['8:4', 'end is below start'], ['1:8:x1', 'x2 or more'], ['a', '"a"'], ['1:100000:1', 'more than 64 levels'],
  ])('refuses %s', (text, words) => {
    expectThrows(() => parseConcurrency(text), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: [`"${text}"`, words] });
  });
});
