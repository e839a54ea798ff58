/**
 * Result-cache snapshots on disk (msgpackr), for warm restarts. A snapshot names the model and
 * version whose results it holds; reading one checks everything before handing anything back,
 * so a bad file loads nothing.
 *
 * File: msgpack of { format, formatVersion, model, version, savedAt, entries }, entries oldest
 * (least recently used) first, each [names, dtypes, shapes, inputs, outputs]: inputs are bytes
 * (a string tensor as its length-prefixed UTF-8), outputs [name, dtype, shape, bytes | strings].
 * Keys are not stored: the reader computes them, so they follow this build's hash.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { pack, unpack } from 'msgpackr';
import { errors } from '../errors.js';
import { type DType, type TensorData, isDType, kDTypes } from '../tensor/dtype.js';
import { isInteger } from '../validate.js';
import type { CacheIdentity } from './cache-options.js';
import { decodeStrings } from './string-bytes.js';
import type { SnapshotOutput } from './stored-outputs.js';

const kFormat = 'inferline-result-cache';
const kFormatVersion = 1;

/** One entry as written: the request's inputs in name order, and the outputs. */
export interface SnapshotEntry {
  names: string[];
  dtypes: DType[];
  shapes: number[][];
  inputs: Uint8Array[];
  outputs: SnapshotOutput[];
}

/** One entry as read: like SnapshotEntry, output data already in its own typed arrays. */
export interface LoadedEntry {
  names: string[];
  dtypes: DType[];
  shapes: number[][];
  /** Copies in memory of their own (not views into the file). */
  inputs: Uint8Array[];
  outputNames: string[];
  outputDtypes: DType[];
  outputShapes: number[][];
  outputDatas: TensorData[];
}

/**
 * Writes `entries` to `path` atomically: into a temporary file beside it, then renamed over it,
 * so a crash mid-write leaves the previous snapshot, never half of one.
 *
 * @throws (rejects) ERR_INFERLINE_CACHE_SNAPSHOT_IO when the file cannot be written.
 */
export async function writeSnapshot(path: string, identity: CacheIdentity, entries: SnapshotEntry[], what: string): Promise<void> {
  const file = pack({
    format: kFormat,
    formatVersion: kFormatVersion,
    model: identity.model,
    version: identity.version,
    savedAt: new Date().toISOString(),
    entries: entries.map((entry) => [entry.names, entry.dtypes, entry.shapes, entry.inputs, entry.outputs]),
  });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, file);
    await rename(temporary, path);
  } catch (cause) {
    // The temporary file may not exist (the write failed first); failing to remove it changes
    // nothing for the caller, who gets the original error.
    await unlink(temporary).catch(() => undefined);
    throw errors.cacheSnapshotIo(`${what}: could not write the snapshot ${path}: ${(cause as Error).message}`, cause);
  }
}

/** Counts elements of a checked shape. */
function countOf(shape: number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((dim) => isInteger(dim, 0, Number.MAX_SAFE_INTEGER));
}

/** Own-memory, aligned typed data of `dtype` from snapshot bytes; a string message when they do not fit. */
function typedData(dtype: DType, shape: number[], data: unknown): TensorData | string {
  const count = countOf(shape);
  const arrayType = kDTypes.get(dtype)!.arrayType;
  if (arrayType === null) {
    if (!Array.isArray(data) || data.length !== count || !data.every((item) => typeof item === 'string')) return `expected ${count} strings`;
    return [...data] as string[];
  }
  if (!(data instanceof Uint8Array)) return 'expected bytes';
  if (data.byteLength !== count * arrayType.BYTES_PER_ELEMENT) {
    return `shape [${shape.join(',')}] of ${dtype} needs ${count * arrayType.BYTES_PER_ELEMENT} bytes, found ${data.byteLength}`;
  }
  // Copied: the file's bytes are one buffer, at offsets no typed array may be aligned to, and
  // a view would keep the whole file in memory.
  const copy = Uint8Array.prototype.slice.call(data);
  return new (arrayType as Uint8ArrayConstructor)(copy.buffer) as unknown as TensorData;
}

/** Checks one decoded entry; returns it in memory of its own, or a message saying what is wrong. */
function checkEntry(raw: unknown): LoadedEntry | string {
  if (!Array.isArray(raw) || raw.length !== 5) return 'not [names, dtypes, shapes, inputs, outputs]';
  const [names, dtypes, shapes, inputs, outputs] = raw as unknown[];
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string') || new Set(names).size !== names.length) {
    return 'input names are not distinct strings';
  }
  const count = names.length;
  if (!Array.isArray(dtypes) || dtypes.length !== count || !dtypes.every(isDType)) return 'input dtypes are not known dtypes';
  if (!Array.isArray(shapes) || shapes.length !== count || !shapes.every(isShape)) return 'input shapes are not lists of non-negative integers';
  if (!Array.isArray(inputs) || inputs.length !== count) return 'inputs do not match the names';
  const ownInputs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = inputs[i];
    const dtype = dtypes[i] as DType;
    if (!(bytes instanceof Uint8Array)) return `input "${names[i]}" is not bytes`;
    const arrayType = kDTypes.get(dtype)!.arrayType;
    const fits = arrayType === null
      ? decodeStrings(bytes, countOf(shapes[i] as number[])) !== undefined
      : bytes.byteLength === countOf(shapes[i] as number[]) * arrayType.BYTES_PER_ELEMENT;
    if (!fits) return `input "${names[i]}" has ${bytes.byteLength} bytes, which do not fit ${dtype} [${(shapes[i] as number[]).join(',')}]`;
    ownInputs.push(Uint8Array.prototype.slice.call(bytes));
  }
  if (!Array.isArray(outputs)) return 'outputs are not a list';
  const entry: LoadedEntry = {
    names: names as string[], dtypes: dtypes as DType[], shapes: shapes as number[][], inputs: ownInputs,
    outputNames: [], outputDtypes: [], outputShapes: [], outputDatas: [],
  };
  for (const output of outputs as unknown[]) {
    if (!Array.isArray(output) || output.length !== 4) return 'an output is not [name, dtype, shape, data]';
    const [name, dtype, shape, data] = output as unknown[];
    if (typeof name !== 'string' || !isDType(dtype) || !isShape(shape)) return 'an output has a bad name, dtype or shape';
    const typed = typedData(dtype, shape, data);
    if (typeof typed === 'string') return `output "${name}": ${typed}`;
    entry.outputNames.push(name);
    entry.outputDtypes.push(dtype);
    entry.outputShapes.push(shape);
    entry.outputDatas.push(typed);
  }
  return entry;
}

/**
 * Reads the snapshot at `path`, for a cache of `identity`.
 *
 * @throws (rejects) ERR_INFERLINE_CACHE_SNAPSHOT_IO when the file cannot be read (`cause` has
 * the file-system code, e.g. ENOENT); ERR_INFERLINE_CACHE_SNAPSHOT_INVALID when it is not a
 * snapshot this version reads; ERR_INFERLINE_CACHE_SNAPSHOT_MISMATCH when it holds another
 * model's or version's results.
 */
export async function readSnapshot(path: string, identity: CacheIdentity, what: string): Promise<LoadedEntry[]> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (cause) {
    throw errors.cacheSnapshotIo(`${what}: could not read the snapshot ${path}: ${(cause as Error).message}`, cause);
  }
  const invalid = (reason: string, cause?: unknown): Error =>
    errors.cacheSnapshotInvalid(`${what}: ${path} is not a usable result-cache snapshot: ${reason}`, cause);
  let decoded: unknown;
  try {
    decoded = unpack(file);
  } catch (cause) {
    throw invalid(`it does not decode as msgpack (${(cause as Error).message})`, cause);
  }
  const header = decoded as Record<string, unknown> | null;
  if (typeof header !== 'object' || header === null || header.format !== kFormat) throw invalid(`it has no "${kFormat}" header`);
  if (header.formatVersion !== kFormatVersion) {
    throw invalid(`its format version is ${String(header.formatVersion)}; this inferline reads version ${kFormatVersion}`);
  }
  if (typeof header.model !== 'string' || typeof header.version !== 'string') throw invalid('its header names no model and version');
  if (header.model !== identity.model || header.version !== identity.version) {
    throw errors.cacheSnapshotMismatch(
      `${what}: the snapshot ${path} holds results of model "${header.model}" version "${header.version}"; ` +
        `this cache is for model "${identity.model}" version "${identity.version}", so it is not loaded`,
    );
  }
  if (!Array.isArray(header.entries)) throw invalid('it has no list of entries');
  const entries: LoadedEntry[] = [];
  for (let i = 0; i < header.entries.length; i++) {
    const entry = checkEntry(header.entries[i]);
    if (typeof entry === 'string') throw invalid(`entry ${i}: ${entry}`);
    entries.push(entry);
  }
  return entries;
}
