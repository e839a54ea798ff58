/**
 * What the repository reads from disk: the model directories, each model's version directories,
 * and a fingerprint (mtime + size) of a file, by which a poll tells a changed file from an old one.
 */
import { readdir, stat } from 'node:fs/promises';
import { errors } from '../errors.js';
import { compareVersions } from './static-models.js';

/** A version directory's name: a non-negative integer without leading zeros (Triton's rule). */
const kVersionName = /^(0|[1-9][0-9]*)$/;

/**
 * Whether `name` can name a model: a directory name that is not hidden and cannot climb out of
 * the repository. Names come from URLs and gRPC requests, so this runs before any path is built.
 */
export function isModelName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && !name.startsWith('.') && !/[/\\\0]/.test(name);
}

/** Names of the model directories in `dir`, sorted; hidden entries and files are skipped. */
export async function listModelDirs(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw errors.modelConfig(`Model repository ${dir} cannot be read: ${(cause as Error).message}`, cause);
  }
  return entries.filter((entry) => entry.isDirectory() && isModelName(entry.name)).map((entry) => entry.name).sort();
}

/** Version directories of a model directory, oldest first; [] when the directory is gone. */
export async function listVersionDirs(modelDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(modelDir, { withFileTypes: true });
  } catch {
    // Removed between the repository listing and now: the next poll removes the model.
    return [];
  }
  return entries.filter((entry) => entry.isDirectory() && kVersionName.test(entry.name)).map((entry) => entry.name).sort(compareVersions);
}

/**
 * 'mtime:size' of a file, or 'absent'. A file rewritten in place changes at least one of the two
 * (mtime has sub-millisecond resolution on the file systems Node reports it for).
 */
export async function fingerprintOf(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return 'absent';
  }
}
