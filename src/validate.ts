/** Predicates and checks for public entry points (arguments are checked before anything queues). */
import { errors } from './errors.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isInteger(value: unknown, min = -Infinity, max = Infinity): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}

/**
 * `value` if it is an integer in [min, max]; else ERR_INFERLINE_INVALID_ARG, a TypeError when it
 * is not a number at all and a RangeError when it is one out of range, as Node's own are.
 */
export function integerOption(value: unknown, what: string, min: number, max: number): number {
  const expected = `${what} must be an integer from ${min} to ${max}, received ${describe(value)}`;
  if (typeof value !== 'number') throw errors.invalidArg(expected);
  if (!isInteger(value, min, max)) throw errors.outOfRange(expected);
  return value;
}

/** The known name closest to `name`, if it is close enough to be a likely misspelling. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Throws ERR_INFERLINE_UNKNOWN_OPTION for keys of `options` not in `known`, naming the likely one. */
export function checkKnownOptions(options: Record<string, unknown>, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const suggestion = closestName(key, known);
    throw errors.unknownOption(
      `${what}: unknown option "${key}"` +
        (suggestion !== undefined ? `; did you mean "${suggestion}"?` : `; known options: ${known.join(', ')}`),
    );
  }
}

/** `options` if it is undefined or a plain object; else ERR_INFERLINE_INVALID_ARG. */
export function optionsObject(options: unknown, what: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw errors.invalidArg(`${what}: options must be an object, received ${describe(options)}`);
  return options;
}

/** A short description of a value for messages: its type, or its constructor's name. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'null prototype'})`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value;
}
