/**
 * ServedModels over Models the embedder loaded itself: `serve({ models: [a, b] })`. Nothing is
 * read from disk; load() can only bring back a model unloaded through this object.
 */
import { errors } from '../errors.js';
import type { Model } from '../model/model.js';
import type { ModelIndexEntry, ServedModels } from './served-models.js';

export class StaticModels implements ServedModels {
  /** name → version → Model, as given. */
  readonly #models = new Map<string, Map<string, Model>>();
  /** Names unloaded through unload(): known, not serving. */
  readonly #unloaded = new Set<string>();

  constructor(models: readonly Model[]) {
    for (const model of models) {
      let versions = this.#models.get(model.name);
      if (versions === undefined) this.#models.set(model.name, (versions = new Map()));
      if (versions.has(model.version)) throw errors.invalidArg(`serve: two models named "${model.name}" with version "${model.version}"`);
      versions.set(model.version, model);
    }
  }

  get(name: string, version?: string): Model {
    const versions = this.#models.get(name);
    if (versions === undefined) throw errors.unknownModel(`Unknown model "${name}"`);
    if (this.#unloaded.has(name)) throw errors.modelNotReady(`Model "${name}" is not ready (UNAVAILABLE: unloaded)`);
    if (version === undefined || version === '') return versions.get(newestVersion([...versions.keys()]))!;
    const model = versions.get(version);
    if (model === undefined) {
      throw errors.unknownModel(`Model "${name}" has no version "${version}"; its versions are ${[...versions.keys()].map((v) => `"${v}"`).join(', ')}`);
    }
    return model;
  }

  index(): ModelIndexEntry[] {
    const entries: ModelIndexEntry[] = [];
    for (const [name, versions] of this.#models) {
      for (const version of versions.keys()) {
        const unloaded = this.#unloaded.has(name);
        entries.push({ name, version, state: unloaded ? 'UNAVAILABLE' : 'READY', reason: unloaded ? 'unloaded' : '' });
      }
    }
    return entries;
  }

  ready(): boolean {
    return true;
  }

  async load(name: string): Promise<void> {
    if (!this.#models.has(name)) throw errors.unknownModel(`Unknown model "${name}"`);
    if (this.#unloaded.has(name)) {
      throw errors.unsupported(`Model "${name}" was unloaded and cannot be loaded again: it was given to serve() already loaded, not read from a repository`);
    }
  }

  async unload(name: string): Promise<void> {
    const versions = this.#models.get(name);
    if (versions === undefined) throw errors.unknownModel(`Unknown model "${name}"`);
    this.#unloaded.add(name);
    await Promise.all([...versions.values()].map((model) => model.unload()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#models.keys()].filter((name) => !this.#unloaded.has(name)).map((name) => this.unload(name)));
  }
}

/** Versions are compared as numbers when both are numeric, else as strings. */
export function newestVersion(versions: readonly string[]): string {
  return versions.reduce((best, v) => (compareVersions(v, best) > 0 ? v : best));
}

export function compareVersions(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
