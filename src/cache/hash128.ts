/**
 * The result cache's view of the addon's 128-bit hash (native/cache/hash128.h): digests of bytes
 * read in place, as hex for people and as short strings for Map keys.
 */
import { nativeHash, type NativeBytes } from '../native.js';

// One scratch digest for the whole process: the addon writes into it and the caller reads it
// at once, before anything else can hash (JS runs one call at a time per thread).
const kDigest = new Uint32Array(4);
const kDigestHalves = new BigUint64Array(kDigest.buffer);
const kDigestUnits = new Uint16Array(kDigest.buffer);

/**
 * The digest of `data`'s bytes (a TypedArray, Buffer, DataView or ArrayBuffer; offsets honoured),
 * as 32 hex digits: the first 64-bit half, then the second.
 *
 * @example
 * hash128Hex(new Float32Array([1, 2, 3])) // '5c0b…' (32 hex digits)
 * @throws ERR_INFERLINE_INVALID_ARG (TypeError) when `data` is not bytes or is detached, or the
 * seed is not an integer from 0 to 2^53 - 1; ERR_INFERLINE_ADDON_LOAD without the addon.
 */
export function hash128Hex(data: NativeBytes, seed = 0): string {
  nativeHash().hash128(data, kDigest, seed);
  return kDigestHalves[0]!.toString(16).padStart(16, '0') + kDigestHalves[1]!.toString(16).padStart(16, '0');
}

/** The digest of a list of byte ranges (order and boundaries count), as 32 hex digits. */
export function hash128ListHex(list: readonly NativeBytes[], seed = 0): string {
  nativeHash().hash128List(list, kDigest, seed);
  return kDigestHalves[0]!.toString(16).padStart(16, '0') + kDigestHalves[1]!.toString(16).padStart(16, '0');
}

/** The digest in kDigest as 8 UTF-16 code units: the cheapest string to build and to look up. */
function digestKey(): string {
  const u = kDigestUnits;
  return String.fromCharCode(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!);
}

/**
 * The digest of `data` as a Map key of 8 UTF-16 code units (lone surrogates are fine there): a
 * short flat string, which V8 hashes several times faster than a longer or concatenated one.
 * Not for display.
 */
export function hash128Key(data: NativeBytes, seed: number): string {
  nativeHash().hash128(data, kDigest, seed);
  return digestKey();
}

/** As hash128Key, for a list of byte ranges (order and boundaries count). */
export function hash128ListKey(list: readonly NativeBytes[], seed: number): string {
  nativeHash().hash128List(list, kDigest, seed);
  return digestKey();
}

/** A seed (0..2^53 - 1) from text, so that digests of one model never equal another's. */
export function seedOf(text: string): number {
  nativeHash().hash128(Buffer.from(text, 'utf8'), kDigest, 0);
  // 53 bits, the most a number holds exactly: all of the first word and 21 bits of the second.
  return (kDigest[1]! & 0x1fffff) * 2 ** 32 + kDigest[0]!;
}
