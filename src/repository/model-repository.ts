/**
 * A directory of models served with versions and hot reload (Triton's model repository):
 *
 *   <dir>/<model>/config.json            optional: Model.load's options, version policy, warmup
 *   <dir>/<model>/<version>/model.onnx   versions are non-negative integers
 *
 * Every change (open's first scan, a poll, load(), unload(), close()) runs in one queue, one after
 * another, so two scans never race on the same model. get() reads the current state at any time.
 */
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errors } from '../errors.js';
import type { Model } from '../model/model.js';
import { describe } from '../validate.js';
import { ModelRecord, type ModelStateEvent } from './model-record.js';
import { type ModelRepositoryOptions, type ResolvedRepositoryOptions, resolveRepositoryOptions } from './repository-options.js';
import { isModelName, listModelDirs } from './repository-scan.js';
import type { ModelIndexEntry, ServedModels } from './served-models.js';

export interface ModelRepositoryEvents {
  /** A version (or, with version '', a model as a whole) changed state or reason. */
  state: [event: ModelStateEvent];
}

/**
 * Serves the models of a directory: loads them at open, reloads what changes (poll), and keeps
 * serving through failures: a broken model or version is reported (index(), a 'state' event, a
 * process warning with code INFERLINE_MODEL_UNAVAILABLE) and every other model keeps serving.
 *
 * @example
 * const repo = await ModelRepository.open('models', { pollMs: 2000 });
 * repo.on('state', ({ name, version, state, reason }) => console.log(name, version, state, reason));
 * const { y } = await repo.get('add').infer({ x });
 * await repo.close();
 */
export class ModelRepository extends EventEmitter<ModelRepositoryEvents> implements ServedModels {
  /** The repository directory, absolute. */
  readonly dir: string;
  readonly #options: ResolvedRepositoryOptions;
  /** Models being served (or failing to), by name. */
  readonly #records = new Map<string, ModelRecord>();
  /** Model directories seen by the last scan: known names, served or not. */
  #onDisk: string[] = [];
  /** Explicit mode: the names loaded through load() or options.models. */
  readonly #explicit = new Set<string>();
  /** Names unloaded through unload(): in mode 'all', not served again until load(). */
  readonly #unloaded = new Set<string>();
  /** The tail of the queue of changes; never rejects. */
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  /** The message of the last timer poll's failure, until a poll succeeds. */
  #pollFailure: string | undefined;
  #closing: Promise<void> | undefined;

  private constructor(dir: string, options: ResolvedRepositoryOptions) {
    super();
    this.dir = dir;
    this.#options = options;
    for (const name of options.models) this.#explicit.add(name);
    if (options.onState !== undefined) this.on('state', options.onState);
  }

  /**
   * Opens a repository directory and loads its models (mode 'all') or `options.models` (mode
   * 'explicit'); resolves once every one is READY or has failed. Failures do not reject: they
   * are in index().
   *
   * @throws (rejects) ERR_INFERLINE_INVALID_ARG / ERR_INFERLINE_UNKNOWN_OPTION for bad arguments
   * or a `dir` that is not a directory; ERR_INFERLINE_UNKNOWN_MODEL when `options.models` names a
   * model the directory lacks.
   */
  static async open(dir: string, options?: ModelRepositoryOptions): Promise<ModelRepository> {
    if (typeof dir !== 'string' || dir.length === 0) throw errors.invalidArg(`ModelRepository.open: dir must be a directory path, received ${describe(dir)}`);
    const resolved = resolveRepositoryOptions(options);
    const absolute = resolve(dir);
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) throw errors.invalidArg(`ModelRepository.open: ${absolute} is not a directory`);
    const repository = new ModelRepository(absolute, resolved);
    await repository.poll();
    const missing = resolved.models.filter((name) => !repository.#onDisk.includes(name));
    if (missing.length > 0) {
      await repository.close();
      throw errors.unknownModel(`ModelRepository.open: models ${missing.map((n) => `"${n}"`).join(', ')} not found in ${absolute}`);
    }
    repository.#schedulePoll();
    return repository;
  }

  /**
   * The READY Model for `name`: `version`, else the newest READY version.
   * @throws ERR_INFERLINE_UNKNOWN_MODEL when the name or version is not known;
   * ERR_INFERLINE_MODEL_NOT_READY when it is loading, unloading, failed, unloaded, or the
   * repository is closed.
   */
  get(name: string, version?: string): Model {
    if (this.#closing !== undefined) throw errors.modelNotReady(`Model "${String(name)}" is not ready: the model repository is closed`);
    const record = this.#records.get(name);
    if (record === undefined) {
      if (this.#onDisk.includes(name)) throw errors.modelNotReady(`Model "${name}" is not ready (UNAVAILABLE: ${this.#notServedReason(name)})`);
      throw errors.unknownModel(`Unknown model "${String(name)}"`);
    }
    return record.get(version);
  }

  /** Every model and version known, with its state; models on disk that are not served show as UNAVAILABLE. */
  index(): ModelIndexEntry[] {
    const entries: ModelIndexEntry[] = [];
    const names = [...new Set([...this.#onDisk, ...this.#records.keys()])].sort();
    for (const name of names) {
      const record = this.#records.get(name);
      if (record !== undefined) entries.push(...record.rows());
      else entries.push({ name, version: '', state: 'UNAVAILABLE', reason: this.#notServedReason(name) });
    }
    return entries;
  }

  /**
   * Whether the repository is serving: open and not closed. With strictReadiness, also every
   * model that should serve has a READY version. The default is lenient because a readiness probe
   * that fails for one broken model takes every healthy model on the replica out of service too.
   */
  ready(): boolean {
    if (this.#closing !== undefined) return false;
    if (!this.#options.strictReadiness) return true;
    return this.#onDisk.filter((name) => this.#shouldServe(name)).every((name) => this.#records.get(name)?.ready === true);
  }

  /**
   * Scans the directory once now and applies what changed: new models and versions are loaded,
   * changed ones reloaded (READY before the old one is retired), removed ones unloaded. The poll
   * timer calls this; scans never overlap.
   * @throws (rejects) ERR_INFERLINE_MODEL_CONFIG when the directory cannot be read (nothing changes).
   */
  poll(): Promise<void> {
    // Checked when called: a poll queued before close() runs (close waits for it), one after does not.
    if (this.#closing !== undefined) return Promise.resolve();
    return this.#enqueue(() => this.#scan());
  }

  /**
   * Loads a model, or reloads it from disk when it is loaded; resolves once its versions are
   * READY. In mode 'all' it also brings back a model unloaded through unload().
   * @throws (rejects) ERR_INFERLINE_INVALID_ARG for a name that cannot be a directory name;
   * ERR_INFERLINE_UNKNOWN_MODEL when the directory has no such model; ERR_INFERLINE_MODEL_CONFIG
   * (the cause is the underlying error) when the config or any version the policy wants failed
   * to load (a version loaded before keeps serving: see index()); ERR_INFERLINE_MODEL_NOT_READY
   * after close().
   */
  async load(name: string): Promise<void> {
    this.#checkName(name, 'load');
    if (this.#closing !== undefined) throw errors.modelNotReady(`Model "${name}" cannot be loaded: the model repository is closed`);
    await this.#enqueue(async () => {
      this.#onDisk = await listModelDirs(this.dir);
      if (!this.#onDisk.includes(name)) {
        if (this.#records.has(name)) await this.#drop(name);
        throw errors.unknownModel(`Unknown model "${name}": no directory ${join(this.dir, name)}`);
      }
      this.#explicit.add(name);
      this.#unloaded.delete(name);
      const record = this.#recordFor(name);
      const [failure] = await record.sync(true);
      // Like Triton, a load that failed for any version fails, even when an older version serves on.
      if (failure !== undefined) throw failure;
      if (!record.ready) throw errors.modelNotReady(`Model "${name}" is not ready after loading`);
    });
  }

  /**
   * Unloads every version of a model; requests in flight finish first. It stays unloaded (polls
   * leave it alone) until load().
   * @throws (rejects) ERR_INFERLINE_INVALID_ARG for a bad name; ERR_INFERLINE_UNKNOWN_MODEL for a
   * model neither served nor on disk.
   */
  async unload(name: string): Promise<void> {
    this.#checkName(name, 'unload');
    await this.#enqueue(async () => {
      if (!this.#records.has(name) && !this.#onDisk.includes(name)) throw errors.unknownModel(`Unknown model "${name}"`);
      this.#explicit.delete(name);
      this.#unloaded.add(name);
      await this.#drop(name);
    });
  }

  /** Stops polling and unloads every model; requests in flight finish first. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      // Changes queued before close finish first; those queued after see #closing and stop.
      await this.#enqueue(() => Promise.all([...this.#records.keys()].map((name) => this.#drop(name))));
    })();
    return this.#closing;
  }

  #checkName(name: unknown, method: string): void {
    if (!isModelName(name)) throw errors.invalidArg(`ModelRepository.${method}: name must be a model directory name (no path separators, not hidden), received ${describe(name)}`);
  }

  #notServedReason(name: string): string {
    return this.#unloaded.has(name) ? 'unloaded' : 'not loaded';
  }

  #shouldServe(name: string): boolean {
    return this.#options.mode === 'all' ? !this.#unloaded.has(name) : this.#explicit.has(name);
  }

  #recordFor(name: string): ModelRecord {
    let record = this.#records.get(name);
    if (record === undefined) {
      record = new ModelRecord(name, join(this.dir, name), { report: (event, failure) => this.#report(event, failure), warmup: this.#options.warmup });
      this.#records.set(name, record);
    }
    return record;
  }

  async #scan(): Promise<void> {
    this.#onDisk = await listModelDirs(this.dir);
    const serve = this.#onDisk.filter((name) => this.#shouldServe(name));
    const gone = [...this.#records.keys()].filter((name) => !serve.includes(name));
    await Promise.all([...serve.map((name) => this.#recordFor(name).sync(false)), ...gone.map((name) => this.#drop(name))]);
  }

  /** Unloads a model's versions (each drains first), then forgets it. */
  async #drop(name: string): Promise<void> {
    const record = this.#records.get(name);
    if (record === undefined) return;
    await record.unloadAll();
    this.#records.delete(name);
  }

  /** Runs `task` after every change queued before it; its result or failure goes to its caller only. */
  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #schedulePoll(): void {
    if (this.#options.pollMs === 0 || this.#closing !== undefined) return;
    // Re-armed after each scan ends (not setInterval): a slow scan never has another queued behind it.
    this.#timer = setTimeout(() => {
      this.poll()
        .then(() => {
        this.#pollFailure = undefined;
      }, (error: Error) => {
        // Once per distinct failure: a vanished directory would otherwise warn every pollMs.
        if (error.message !== this.#pollFailure) process.emitWarning(error.message, { code: 'INFERLINE_REPOSITORY_POLL_FAILED' });
        this.#pollFailure = error.message;
      })
        .finally(() => this.#schedulePoll());
    }, this.#options.pollMs);
    this.#timer.unref();
  }

  #report(event: ModelStateEvent, failure: Error | undefined): void {
    if (failure !== undefined) {
      const what = event.version === '' ? `Model "${event.name}"` : `Model "${event.name}" version "${event.version}"`;
      const serving = event.state === 'READY' ? ' (still serving)' : ' is unavailable';
      process.emitWarning(`${what}${serving}: ${event.reason}`, { code: 'INFERLINE_MODEL_UNAVAILABLE' });
    }
    try {
      this.emit('state', event);
    } catch (error) {
      // A listener's bug must not leave a version half-switched: rethrow outside the change.
      process.nextTick(() => {
        throw error;
      });
    }
  }
}
