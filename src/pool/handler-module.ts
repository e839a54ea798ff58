/** Handler module names as users give them (absolute paths, file: URLs) and as workers import them. */
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errors } from '../errors.js';
import { describe } from '../validate.js';

export interface HandlerModule {
  /** The file: URL workers import (and cache by). */
  url: string;
  /** The file path, for messages. */
  label: string;
}

/** Converting a path costs more than a lookup, and a pool sees the same few modules on every call. */
const kMaxCached = 256;

export class HandlerModules {
  readonly #known = new Map<unknown, HandlerModule>();

  /**
   * The module `given` names. Relative paths are refused: relative to what (the process's working
   * directory, the model repository, the caller's file) would be a guess.
   *
   * @throws ERR_INFERLINE_INVALID_ARG when `given` is not an absolute path or a file: URL.
   */
  resolve(given: unknown, what: string): HandlerModule {
    const key = given instanceof URL ? given.href : given;
    const known = this.#known.get(key);
    if (known !== undefined) return known;
    const expected = `${what}: the handler module must be an absolute path or a file: URL`;
    let module: HandlerModule;
    if (typeof key !== 'string' || key.length === 0) throw errors.invalidArg(`${expected}, received ${describe(given)}`);
    if (/^[a-z][a-z0-9+.-]*:/i.test(key) && !/^[a-z]:[\\/]/i.test(key)) {
      let url: URL;
      try {
        url = new URL(key);
      } catch {
        throw errors.invalidArg(`${expected}, received ${JSON.stringify(key)}`);
      }
      if (url.protocol !== 'file:') throw errors.invalidArg(`${expected}, received a ${url.protocol} URL ${JSON.stringify(key)}`);
      module = { url: url.href, label: fileURLToPath(url) };
    } else {
      if (!isAbsolute(key)) throw errors.invalidArg(`${expected}, received the relative path ${JSON.stringify(key)}`);
      module = { url: pathToFileURL(key).href, label: key };
    }
    if (this.#known.size >= kMaxCached) this.#known.clear();
    this.#known.set(key, module);
    return module;
  }
}
