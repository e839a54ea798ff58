/**
 * One model directory as the repository serves it: a slot per version with its state and its
 * Model, and sync(), which brings the slots in line with the directory. The rules that keep
 * requests flowing through a change:
 * - a new or changed version is loaded to READY (warmup included) before anything is retired;
 * - a version whose files changed keeps serving its old Model until the new one is READY, and
 *   keeps it if the new one fails;
 * - a version the policy no longer wants is retired only once a wanted version is READY (so a
 *   broken new version leaves the old one serving); a version whose directory is gone is retired
 *   after the loads of the same sync;
 * - retiring stops routing first, then unloads (which drains the requests in flight).
 */
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { errors } from '../errors.js';
import type { Model } from '../model/model.js';
import type { ModelIndexEntry, ModelState } from './served-models.js';
import { compareVersions } from './static-models.js';
import { kConfigFileName, readModelConfig } from './model-config.js';
import { fingerprintOf, listVersionDirs } from './repository-scan.js';
import { selectVersions } from './version-policy.js';
import { kModelFileName, loadVersion } from './version-loader.js';

/** A change of a version's state, as the repository's 'state' event carries it. */
export interface ModelStateEvent {
  name: string;
  /** '' for the model as a whole (its config failed, or it has no version). */
  version: string;
  state: ModelState;
  /** Why it is not READY, or what went wrong while it kept serving; '' when nothing is wrong. */
  reason: string;
}

/** What a record needs from the repository. */
export interface RecordHooks {
  /** Reports a state change (event, and a warning for failures). */
  report(event: ModelStateEvent, failure?: Error): void;
  /** Whether versions get their warmup requests before READY. */
  warmup: boolean;
}

interface VersionSlot {
  state: ModelState;
  reason: string;
  /** The Model serving this version; set while READY (and while UNLOADING, until unloaded). */
  model: Model | undefined;
  /** Fingerprint of the files last tried (loaded or failed): unchanged files are not retried. */
  fingerprint: string | undefined;
}

export class ModelRecord {
  readonly name: string;
  readonly dir: string;
  readonly #hooks: RecordHooks;
  /** version → slot; versions are directory names ("1", "2"). */
  readonly #slots = new Map<string, VersionSlot>();
  /** A failure of the model as a whole (config, no versions), with the fingerprint it came from. */
  #modelError: { error: Error; fingerprint: string } | undefined;
  /** True while a sync runs: a record with no slot yet shows as LOADING. */
  #syncing = false;
  /** Failures of the sync under way, for its caller. */
  #syncFailures: Error[] = [];

  constructor(name: string, dir: string, hooks: RecordHooks) {
    this.name = name;
    this.dir = dir;
    this.#hooks = hooks;
  }

  /**
   * The READY Model of `version`, or the newest READY one.
   * @throws ERR_INFERLINE_UNKNOWN_MODEL for a version not known; ERR_INFERLINE_MODEL_NOT_READY.
   */
  get(version?: string): Model {
    if (version !== undefined && version !== '') {
      const slot = this.#slots.get(version);
      if (slot === undefined) {
        const known = [...this.#slots.keys()].sort(compareVersions).map((v) => `"${v}"`).join(', ');
        throw errors.unknownModel(`Model "${this.name}" has no version "${version}"${known === '' ? '' : `; its versions are ${known}`}`);
      }
      if (slot.state !== 'READY' || slot.model === undefined) {
        throw errors.modelNotReady(`Model "${this.name}" version "${version}" is not ready (${slot.state}${slot.reason === '' ? '' : `: ${slot.reason}`})`);
      }
      return slot.model;
    }
    let best: string | undefined;
    for (const [v, slot] of this.#slots) {
      if (slot.state === 'READY' && slot.model !== undefined && (best === undefined || compareVersions(v, best) > 0)) best = v;
    }
    if (best === undefined) {
      const [row] = this.rows();
      throw errors.modelNotReady(`Model "${this.name}" is not ready (${row?.state ?? 'UNAVAILABLE'}${row?.reason ? `: ${row.reason}` : ''})`);
    }
    return this.#slots.get(best)!.model!;
  }

  /** Whether some version is READY. */
  get ready(): boolean {
    for (const slot of this.#slots.values()) if (slot.state === 'READY') return true;
    return false;
  }

  /** Index rows: one per version, or one for the model as a whole when it has none. */
  rows(): ModelIndexEntry[] {
    if (this.#slots.size === 0) {
      if (this.#modelError !== undefined) return [{ name: this.name, version: '', state: 'UNAVAILABLE', reason: this.#modelError.error.message }];
      return [{ name: this.name, version: '', state: this.#syncing ? 'LOADING' : 'UNAVAILABLE', reason: this.#syncing ? '' : 'no version loaded' }];
    }
    return [...this.#slots.entries()]
      .sort(([a], [b]) => compareVersions(a, b))
      .map(([version, slot]) => ({ name: this.name, version, state: slot.state, reason: slot.reason }));
  }

  /**
   * Brings the versions in line with the directory. `force` reloads every wanted version even
   * when its files did not change (an explicit load). Never rejects: failures land in the slots
   * and are returned (those of this sync only; unchanged failed files are not retried).
   */
  async sync(force: boolean): Promise<Error[]> {
    this.#syncing = true;
    this.#syncFailures = [];
    try {
      await this.#sync(force);
      return this.#syncFailures;
    } finally {
      this.#syncing = false;
    }
  }

  async #sync(force: boolean): Promise<void> {
    const configFingerprint = await fingerprintOf(join(this.dir, kConfigFileName));
    let config;
    try {
      config = await readModelConfig(this.dir, this.name);
    } catch (error) {
      this.#failModel(error as Error, `config ${configFingerprint}`, force);
      return;
    }
    const onDisk = await listVersionDirs(this.dir);
    const wanted = selectVersions(config.policy, onDisk);
    if (wanted.length === 0) {
      const error = errors.modelConfig(`Model "${this.name}": no version directory (named by a non-negative integer, holding ${kModelFileName}) in ${this.dir}`);
      this.#failModel(error, `versions ${configFingerprint}`, force);
    } else {
      this.#modelError = undefined;
    }
    await Promise.all(wanted.map(async (version) => {
      const versionDir = join(this.dir, version);
      const fingerprint = `${configFingerprint}|${await fingerprintOf(join(versionDir, kModelFileName))}`;
      const slot = this.#slots.get(version);
      if (!force && slot !== undefined && slot.fingerprint === fingerprint) return;
      if (!onDisk.includes(version)) {
        const error = errors.modelConfig(`Model "${this.name}": versionPolicy asks for version ${version}, but ${versionDir} does not exist`);
        this.#fail(version, error, fingerprint);
        return;
      }
      await this.#load(version, config, fingerprint);
    }));
    const wantedReady = wanted.some((version) => this.#slots.get(version)?.state === 'READY');
    const retiring: Array<Promise<void>> = [];
    for (const [version, slot] of this.#slots) {
      if (wanted.includes(version)) continue;
      // Kept: an unwanted version still on disk that serves while no wanted version can.
      if (onDisk.includes(version) && !wantedReady && slot.state === 'READY') continue;
      retiring.push(this.#retire(version));
    }
    await Promise.all(retiring);
  }

  /** Loads `version` into its slot; an old Model in the slot serves until the new one is READY. */
  async #load(version: string, config: Awaited<ReturnType<typeof readModelConfig>>, fingerprint: string): Promise<void> {
    let slot = this.#slots.get(version);
    if (slot === undefined) {
      slot = { state: 'LOADING', reason: '', model: undefined, fingerprint };
      this.#slots.set(version, slot);
      this.#hooks.report({ name: this.name, version, state: 'LOADING', reason: '' });
    } else {
      slot.fingerprint = fingerprint;
      if (slot.model === undefined) this.#setState(version, slot, 'LOADING', '');
    }
    let model: Model;
    try {
      model = await loadVersion(this.name, this.dir, version, config, this.#hooks.warmup);
    } catch (error) {
      this.#fail(version, error as Error, fingerprint);
      return;
    }
    // Nothing else touched this slot meanwhile: every change runs in the repository's queue.
    const old = slot.model;
    slot.model = model;
    this.#setState(version, slot, 'READY', '');
    if (old !== undefined) await retireModel(old);
  }

  /** Records a failed load; a version that was serving keeps its old Model. */
  #fail(version: string, error: Error, fingerprint: string): void {
    let slot = this.#slots.get(version);
    if (slot === undefined) {
      slot = { state: 'UNAVAILABLE', reason: '', model: undefined, fingerprint };
      this.#slots.set(version, slot);
    }
    slot.fingerprint = fingerprint;
    this.#syncFailures.push(error);
    if (slot.model !== undefined) {
      this.#setState(version, slot, 'READY', `reload failed, still serving the files loaded before: ${error.message}`, error);
    } else {
      this.#setState(version, slot, 'UNAVAILABLE', error.message, error);
    }
  }

  /**
   * Records a failure of the whole model. Versions already serving keep serving (with the
   * failure as their reason); the others are dropped. Reported once per fingerprint.
   */
  #failModel(error: Error, fingerprint: string, force: boolean): void {
    if (!force && this.#modelError?.fingerprint === fingerprint) return;
    this.#modelError = { error, fingerprint };
    this.#syncFailures.push(error);
    for (const [version, slot] of [...this.#slots]) {
      if (slot.model === undefined) this.#slots.delete(version);
      else if (slot.state === 'READY') this.#setState(version, slot, 'READY', `still serving the config loaded before: ${error.message}`, error);
    }
    if (this.#slots.size === 0) this.#hooks.report({ name: this.name, version: '', state: 'UNAVAILABLE', reason: error.message }, error);
  }

  /** Stops routing to `version` (UNLOADING), drains and unloads it, and forgets it. */
  async #retire(version: string): Promise<void> {
    const slot = this.#slots.get(version);
    if (slot === undefined) return;
    if (slot.model === undefined) {
      this.#slots.delete(version);
      return;
    }
    this.#setState(version, slot, 'UNLOADING', '');
    await retireModel(slot.model);
    this.#slots.delete(version);
    this.#hooks.report({ name: this.name, version, state: 'UNAVAILABLE', reason: 'unloaded' });
  }

  /** Retires every version (model removed, unloaded or the repository closing). */
  async unloadAll(): Promise<void> {
    await Promise.all([...this.#slots.keys()].map((version) => this.#retire(version)));
    this.#slots.clear();
    this.#modelError = undefined;
  }

  #setState(version: string, slot: VersionSlot, state: ModelState, reason: string, failure?: Error): void {
    slot.state = state;
    slot.reason = reason;
    this.#hooks.report({ name: this.name, version, state, reason }, failure);
  }
}

/**
 * Unloads a Model nobody is routed to any more. One turn of the event loop first: a caller that
 * took the Model from get() just before the switch, and calls infer() right after an await of
 * its own, still gets in before the unload refuses new requests.
 */
async function retireModel(model: Model): Promise<void> {
  await nextTurn();
  await model.unload();
}
