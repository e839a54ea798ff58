/**
 * What the serving front (HTTP, gRPC, metrics) needs from whatever holds the models: the
 * ModelRepository (a directory, polled), or a fixed set of Models an embedder loaded itself
 * (StaticModels). Both sides code against this interface only.
 */
import type { Model } from '../model/model.js';

/** KServe's model states (repository extension). */
export type ModelState = 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';

/** One row of the repository index: a model version and its state. */
export interface ModelIndexEntry {
  name: string;
  /** The version; '' for a model that failed before any version was known. */
  version: string;
  state: ModelState;
  /** Why it is not READY (the error message), else ''. */
  reason: string;
}

export interface ServedModels {
  /**
   * The ready Model for `name` (and `version`, else the newest ready version).
   * @throws ERR_INFERLINE_UNKNOWN_MODEL when the name or version is not known;
   * ERR_INFERLINE_MODEL_NOT_READY when it is known but not READY.
   */
  get(name: string, version?: string): Model;
  /** Every model version known, with its state. */
  index(): ModelIndexEntry[];
  /** Whether every model that should be serving is READY (the server's readiness). */
  ready(): boolean;
  /** Loads (or reloads) a model by name; resolves once it is READY. Repository extension. */
  load(name: string): Promise<void>;
  /** Unloads a model (all its versions), draining requests in flight. Repository extension. */
  unload(name: string): Promise<void>;
  /** Unloads everything (graceful: requests in flight finish). */
  close(): Promise<void>;
}
